/** `build`: config -> plan -> preflight -> run -> cell outputs. */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import type { ParsedArgs } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { loadProject } from '../project.js';
import { buildPlan } from '../../plan/graph.js';
import { createExecutor, stepCacheRoot } from '../../exec/factory.js';
import { formatMissing, preflight } from '../../exec/preflight.js';
import { StepCache } from '../../run/cache.js';
import { runPlan } from '../../run/scheduler.js';
import { cleanOutputStaging, writeCellOutput } from '../../run/materialize.js';
import { ListrRenderer, PlainRenderer, type Renderer } from '../../run/render.js';
import { buildManifest, cellFiles, closure } from '../../manifest/build-manifest.js';
import { stepRegistry, toolsFor, unsupportedCells } from '../../steps/registry.js';
import type { Plan } from '../../plan/types.js';
import type { Config } from '../../config/types.js';
import { INDEX_REF, writeOciIndex } from '../../steps/oci/merge-layouts.js';
import type { Executor } from '../../exec/types.js';
import { BUILDER_VERSION } from '../version.js';

function chooseRenderer(plan: Plan, verbose: boolean): Renderer {
  const tty = process.stderr.isTTY && !process.env.CI && !verbose;
  return tty ? new ListrRenderer(plan) : new PlainRenderer(undefined, verbose);
}

/**
 * After the run: for every oci-type variant built without failure, the multi-arch layout at
 * `<out>/<variant>/` over every arch cell present there (see steps/oci/merge-layouts.ts).
 */
async function writeOciIndexes(plan: Plan, config: Config, outRoot: string, failed: ReadonlySet<string>): Promise<void> {
  const variants = new Set(plan.cells.filter((c) => config.variants.get(c.variant)?.packager.type === 'oci').map((c) => c.variant));
  for (const variant of [...variants].sort()) {
    const dir = join(outRoot, variant);
    if (plan.steps.some((s) => s.variant === variant && failed.has(s.id))) {
      process.stderr.write(`oci: ${dir}/index.json not rewritten (a ${variant} cell failed)\n`);
      continue;
    }
    const index = await writeOciIndex(dir);
    if (index) process.stderr.write(`oci: ${dir} ${INDEX_REF} = ${index.digest} (${index.manifests.map((m) => `${m.arch} ${m.digest}`).join(', ')})\n`);
  }
}

export async function buildCommand(args: ParsedArgs, controller: AbortController, injected?: Executor): Promise<ExitCode> {
  const started = Date.now();
  const { common } = args;
  const config = await loadProject(common.project);
  if (!config.ok) { process.stderr.write(config.error + '\n'); return EXIT.usage; }
  const plan = buildPlan(config.value, common.selection);
  if (!plan.ok) { process.stderr.write(plan.error + '\n'); return EXIT.usage; }
  const unsupported = unsupportedCells(plan.value);
  if (unsupported.length > 0) { process.stderr.write(unsupported.join('\n') + '\n'); return EXIT.usage; }
  const chosen = injected ? { ok: true as const, value: { executor: injected, toolbox: null } } : await createExecutor({
    kind: args.values.executor as string | undefined, projectRoot: config.value.root, cacheRoot: resolve(common.cacheDir), outRoot: resolve(common.out),
    signal: controller.signal, log: (line) => { if (common.verbose) process.stderr.write(`toolbox: ${line}\n`); },
    ssh: { urls: (args.values.builder as string[] | undefined) ?? [], keyFile: args.values['ssh-key'] as string | undefined, knownHosts: args.values['known-hosts'] as string | undefined, file: args.values.builders as string | undefined },
  });
  if (!chosen.ok) { process.stderr.write(chosen.error.message + '\n'); return chosen.error.code === 'usage' ? EXIT.usage : EXIT.preflight; }
  const { executor, toolbox, remote } = chosen.value;
  // SSH builders check their own tools; the versions they report fill remote.toolVersions as steps run.
  const tools = remote ? { ok: true as const, value: { versions: remote.toolVersions } } : await preflight(executor, toolsFor(plan.value, config.value), controller.signal);
  if (!tools.ok) { process.stderr.write(formatMissing(tools.error) + '\n'); return EXIT.preflight; }

  const outRoot = resolve(common.out);
  const cache = new StepCache(stepCacheRoot(resolve(common.cacheDir), toolbox));
  await cache.cleanStale();
  await cleanOutputStaging(outRoot);
  await mkdir(join(cache.root, 'work'), { recursive: true });
  const workRoot = await mkdtemp(join(cache.root, 'work', 'run-'));
  const renderer = chooseRenderer(plan.value, common.verbose);
  const run = { host: hostname(), started_at: new Date(started).toISOString(), executor: executor.name, builder_version: BUILDER_VERSION, node: process.version };
  try {
    const report = await runPlan(plan.value, {
      config: config.value, executor, cache, steps: remote?.steps ?? stepRegistry, limit: pLimit(common.jobs), controller,
      keepGoing: common.keepGoing, onEvent: (e) => { renderer.onEvent(e); }, workRoot,
      onReady: async (step, entry, known) => {
        if (!plan.value.cells.some((c) => c.variant === step.variant && c.arch === step.arch)) return;
        const entries = new Map(known);
        entries.set(step.id, entry);
        const needed = new Set(closure(plan.value, step.id).flatMap((s) => [...toolsFor({ ...plan.value, steps: [s] }, config.value).keys()]).map((t) => t.program));
        const manifest = buildManifest({
          config: config.value, plan: plan.value, step, entries,
          tools: Object.fromEntries(Object.entries(tools.value.versions).filter(([p]) => needed.has(p))),
          run: { ...run, duration_ms: Date.now() - started },
          toolbox: toolbox && { digest: toolbox.digest, key: toolbox.key },
        });
        const { dir, written } = await writeCellOutput(outRoot, cellFiles(step, entries), manifest);
        renderer.onEvent({ type: 'cell-written', id: step.id, dir, written });
      },
    });
    await renderer.finish();
    const failed = [...report.outcomes.values()].filter((o) => o.status !== 'done' && o.status !== 'cached');
    await writeOciIndexes(plan.value, config.value, outRoot, new Set(failed.map((o) => o.id)));
    if (controller.signal.aborted && failed.every((o) => o.status === 'cancelled')) return EXIT.stepFailed;
    return failed.length > 0 ? EXIT.stepFailed : EXIT.ok;
  } finally {
    remote?.close();
    await rm(workRoot, { recursive: true, force: true });
  }
}
