/**
 * `build verify [--work DIR]`: builds the selection twice from empty caches in two differently
 * set-up environments and compares every stage output and every artifact.
 * Prints `same=N different=M`; exit 1 on any difference.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ParsedArgs } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { loadProject, PACKAGE_ROOT } from '../project.js';
import { buildPlan, cellStepId } from '../../plan/graph.js';
import { HostExecutor } from '../../exec/host.js';
import { formatExecFailure } from '../../exec/format.js';
import { StepCache } from '../../run/cache.js';
import type { StepRecord } from '../../run/types.js';
import type { Plan } from '../../plan/types.js';
import { compareRecords } from '../../verify/compare.js';
import { explainDifference } from '../../verify/explain.js';
import { ENVIRONMENTS, isolatedBuildArgv } from '../../verify/environments.js';
import { stableStringify } from '../../util/stable-json.js';

async function records(plan: Plan, cacheDir: string): Promise<Map<string, StepRecord>> {
  const cache = new StepCache(cacheDir);
  const out = new Map<string, StepRecord>();
  for (const s of plan.steps) { const e = await cache.get(s.key); if (e) out.set(s.id, e.record); }
  return out;
}

async function manifestCore(out: string, variant: string, arch: string): Promise<string> {
  const m = JSON.parse(await readFile(join(out, variant, arch, 'build-manifest.json'), 'utf8')) as Record<string, unknown>;
  delete m.run;
  return stableStringify(m);
}

export async function verifyCommand(args: ParsedArgs, controller: AbortController): Promise<ExitCode> {
  const config = await loadProject(args.common.project);
  if (!config.ok) { process.stderr.write(config.error + '\n'); return EXIT.usage; }
  const plan = buildPlan(config.value, args.common.selection);
  if (!plan.ok) { process.stderr.write(plan.error + '\n'); return EXIT.usage; }
  const work = typeof args.values.work === 'string' ? resolve(args.values.work) : await mkdtemp(join(tmpdir(), 'pnib-verify-'));
  const executor = new HostExecutor();
  const selection = [...new Set(plan.value.cells.map((c) => c.arch))].join(',');
  const variants = [...new Set(plan.value.cells.map((c) => c.variant))].join(',');
  for (const e of ENVIRONMENTS) {
    const dir = join(work, e.name);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    process.stderr.write(`verify: build ${e.name} in ${dir} (TZ=${e.env.TZ ?? ''} umask ${e.umask} jobs ${e.jobs} hostname ${e.hostname})\n`);
    const buildArgs = ['--project', config.value.root, '--out', join(dir, 'out'), '--cache-dir', join(dir, 'cache'), '--arch', selection, '--variant', variants];
    const r = await executor.run({ argv: isolatedBuildArgv(e, process.execPath, join(PACKAGE_ROOT, 'bin', 'build.js'), buildArgs), env: { ...e.env, CI: '1' }, purpose: `verify build ${e.name}` },
      { signal: controller.signal, onLine: args.common.verbose ? (l) => { process.stderr.write(`  [${e.name}] ${l}\n`); } : undefined });
    if (!r.ok) { process.stderr.write(formatExecFailure(r.error) + '\n'); return EXIT.stepFailed; }
  }
  const [a, b] = [join(work, 'a'), join(work, 'b')];
  const cmp = compareRecords(plan.value, await records(plan.value, join(a, 'cache')), await records(plan.value, join(b, 'cache')));
  let { same, different } = cmp;
  for (const c of plan.value.cells) {
    const equal = (await manifestCore(join(a, 'out'), c.variant, c.arch)) === (await manifestCore(join(b, 'out'), c.variant, c.arch));
    if (equal) same += 1; else { different += 1; process.stdout.write(`different: ${cellStepId(c)} build-manifest.json (reproducible core)\n`); }
  }
  const cacheA = new StepCache(join(a, 'cache'));
  const cacheB = new StepCache(join(b, 'cache'));
  for (const d of cmp.differences) {
    const step = plan.value.steps.find((s) => s.id === d.step);
    const [ea, eb] = step ? [await cacheA.get(step.key), await cacheB.get(step.key)] : [undefined, undefined];
    const why = ea && eb && d.kind === 'sha256' ? await explainDifference(executor, join(ea.dir, d.path), join(eb.dir, d.path), controller.signal) : d.kind;
    process.stdout.write(`different: ${d.step} ${d.path}\n  ${why}\n`);
  }
  if (cmp.firstDivergingStep) process.stdout.write(`first diverging stage: ${cmp.firstDivergingStep}\n`);
  process.stdout.write(`same=${same} different=${different}\n`);
  return different === 0 ? EXIT.ok : EXIT.stepFailed;
}
