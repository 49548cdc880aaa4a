/**
 * `build step --step ID --key KEY`: runs one step and what it needs from the cache, nothing
 * else. The command an SSH builder runs (src/ssh/remote-step.ts); its output is the cache entry.
 * Refuses when the plan computed here gives the step another key (the files differ).
 */
import { resolve } from 'node:path';
import pLimit from 'p-limit';
import type { ParsedArgs } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { loadProject } from '../project.js';
import { buildPlan } from '../../plan/graph.js';
import { closure } from '../../manifest/build-manifest.js';
import { createExecutor, stepCacheRoot } from '../../exec/factory.js';
import { formatMissing, preflight } from '../../exec/preflight.js';
import { StepCache } from '../../run/cache.js';
import { runPlan } from '../../run/scheduler.js';
import { PlainRenderer } from '../../run/render.js';
import { stepRegistry, toolsFor } from '../../steps/registry.js';
import { TOOLS_LINE } from '../../ssh/remote-step.js';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

export async function stepCommand(args: ParsedArgs, controller: AbortController): Promise<ExitCode> {
  const { common, values } = args;
  const id = values.step;
  if (typeof id !== 'string') { process.stderr.write('step: --step ID is required\n'); return EXIT.usage; }
  const config = await loadProject(common.project);
  if (!config.ok) { process.stderr.write(config.error + '\n'); return EXIT.usage; }
  const plan = buildPlan(config.value, common.selection);
  if (!plan.ok) { process.stderr.write(plan.error + '\n'); return EXIT.usage; }
  const step = plan.value.steps.find((s) => s.id === id);
  if (!step) { process.stderr.write(`step: ${id} is not in the plan of this selection\n`); return EXIT.usage; }
  if (typeof values.key === 'string' && values.key !== step.key) {
    process.stderr.write(`step: ${id} has key ${step.key} here, the caller expects ${values.key}: the project files or the resolved mirror differ\n`);
    return EXIT.usage;
  }
  const sub = { ...plan.value, cells: [], steps: closure(plan.value, step.id) };
  const cacheRoot = resolve(common.cacheDir);
  const chosen = await createExecutor({ kind: values.executor as string | undefined, projectRoot: config.value.root, cacheRoot, outRoot: join(cacheRoot, 'work'), signal: controller.signal, log: () => undefined });
  if (!chosen.ok) { process.stderr.write(chosen.error.message + '\n'); return EXIT.preflight; }
  const cache = new StepCache(stepCacheRoot(cacheRoot, chosen.value.toolbox));
  const tools = await preflight(chosen.value.executor, toolsFor(sub, config.value), controller.signal);
  if (!tools.ok) { process.stderr.write(formatMissing(tools.error) + '\n'); return EXIT.preflight; }
  // For the caller's manifest: the versions of the tools this builder runs the step with.
  process.stdout.write(`${TOOLS_LINE}${JSON.stringify(tools.value.versions)}\n`);
  await mkdir(join(cache.root, 'work'), { recursive: true });
  const workRoot = await mkdtemp(join(cache.root, 'work', 'step-'));
  const renderer = new PlainRenderer(undefined, true);
  try {
    const report = await runPlan(sub, {
      config: config.value, executor: chosen.value.executor, cache, steps: stepRegistry, limit: pLimit(1), controller,
      keepGoing: false, onEvent: (e) => { renderer.onEvent(e); }, workRoot,
    });
    await renderer.finish();
    const outcome = report.outcomes.get(step.id);
    return outcome?.status === 'done' || outcome?.status === 'cached' ? EXIT.ok : EXIT.stepFailed;
  } finally {
    await rm(workRoot, { recursive: true, force: true });
  }
}
