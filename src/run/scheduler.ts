/**
 * Walks the plan: each step starts when its dependencies are ready, under one concurrency
 * limiter and one AbortSignal. A cache hit skips the step; a failure stops the run (fail fast)
 * or only what depends on it (--keep-going).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LimitFunction } from 'p-limit';
import type { Config } from '../config/types.js';
import type { Plan, PlannedStep, StepId } from '../plan/types.js';
import type { Executor } from '../exec/types.js';
import type { StepRegistry, StepContext } from '../steps/types.js';
import type { CacheEntry, StepCache } from './cache.js';
import type { RunEvent, StepFailure, StepOutcome } from './types.js';
import { recordOutputs } from './record.js';
import { injectFault } from './faults.js';

export interface SchedulerOptions {
  config: Config;
  executor: Executor;
  cache: StepCache;
  steps: StepRegistry;
  limit: LimitFunction;
  /** Aborting stops running steps (TERM, then KILL) and starts no new ones. */
  controller: AbortController;
  keepGoing: boolean;
  onEvent: (event: RunEvent) => void;
  /** Called when a step's output is in the cache (used to write cell outputs). */
  onReady?: (step: PlannedStep, entry: CacheEntry, entries: ReadonlyMap<StepId, CacheEntry>) => Promise<void>;
  /** Scratch space for steps. */
  workRoot: string;
}

export interface RunReport {
  outcomes: Map<StepId, StepOutcome>;
  entries: Map<StepId, CacheEntry>;
}

type Settled = { entry: CacheEntry } | { failed: true };

export async function runPlan(plan: Plan, opts: SchedulerOptions): Promise<RunReport> {
  const outcomes = new Map<StepId, StepOutcome>();
  const entries = new Map<StepId, CacheEntry>();
  const pending = new Map<StepId, Promise<Settled>>();
  const signal = opts.controller.signal;

  const settle = (step: PlannedStep, outcome: StepOutcome, entry?: CacheEntry): Settled => {
    outcomes.set(step.id, outcome);
    if (entry) entries.set(step.id, entry);
    return entry ? { entry } : { failed: true };
  };

  const schedule = async (step: PlannedStep): Promise<Settled> => {
    const deps = await Promise.all(step.deps.map((d) => pending.get(d) ?? Promise.reject(new Error(`invariant: ${d} not planned before ${step.id}`))));
    const blocked = step.deps.filter((_, i) => 'failed' in (deps[i] ?? { failed: true }));
    if (blocked.length > 0 || signal.aborted) {
      const reason = blocked.length > 0 ? `needs ${blocked.join(', ')}, which did not build` : 'run cancelled';
      opts.onEvent({ type: 'step-skipped', id: step.id, reason });
      return settle(step, { id: step.id, status: signal.aborted ? 'cancelled' : 'skipped', durationMs: 0 });
    }
    const depEntries = new Map<string, CacheEntry>();
    step.deps.forEach((id, i) => {
      const d = deps[i];
      const depStep = plan.steps.find((s) => s.id === id);
      if (d && 'entry' in d && depStep) depEntries.set(depStep.kind === 'package' ? id : depStep.kind, d.entry);
    });
    return opts.limit(() => execute(step, depEntries));
  };

  const execute = async (step: PlannedStep, deps: Map<string, CacheEntry>): Promise<Settled> => {
    const started = Date.now();
    const hit = await opts.cache.get(step.key);
    if (hit) {
      opts.onEvent({ type: 'step-cached', id: step.id });
      const ready = await afterReady(step, hit);
      return ready ?? settle(step, { id: step.id, status: 'cached', durationMs: 0 }, hit);
    }
    if (signal.aborted) return settle(step, { id: step.id, status: 'cancelled', durationMs: 0 });
    opts.onEvent({ type: 'step-start', id: step.id });
    const result = await runStep(step, deps, opts);
    const durationMs = Date.now() - started;
    if (!result.ok) {
      const status = isAborted(signal) ? 'cancelled' : 'failed';
      if (status === 'failed') opts.onEvent({ type: 'step-failed', id: step.id, failure: result.error });
      if (!opts.keepGoing) opts.controller.abort();
      return settle(step, { id: step.id, status, durationMs, failure: result.error });
    }
    opts.onEvent({ type: 'step-done', id: step.id, durationMs });
    const ready = await afterReady(step, result.value);
    return ready ?? settle(step, { id: step.id, status: 'done', durationMs }, result.value);
  };

  /** Writes a cell's outputs; a failure there fails the step like any other. */
  const afterReady = async (step: PlannedStep, entry: CacheEntry): Promise<Settled | undefined> => {
    if (!opts.onReady) return undefined;
    try {
      await opts.onReady(step, entry, entries);
      return undefined;
    } catch (cause) {
      const failure: StepFailure = { code: 'internal', message: `writing the output failed: ${(cause as Error).message}`, cause };
      opts.onEvent({ type: 'step-failed', id: step.id, failure });
      if (!opts.keepGoing) opts.controller.abort();
      return settle(step, { id: step.id, status: 'failed', durationMs: 0, failure });
    }
  };

  for (const step of plan.steps) pending.set(step.id, schedule(step));
  await Promise.all(pending.values());
  return { outcomes, entries };
}

/** Read through a call: the signal changes while we await, which narrowing cannot see. */
const isAborted = (signal: AbortSignal): boolean => signal.aborted;

async function runStep(step: PlannedStep, deps: Map<string, CacheEntry>, opts: SchedulerOptions) {
  const staging = await opts.cache.begin(step.key);
  const workDir = await mkdtemp(join(opts.workRoot, `${step.id.replace('@', '-')}-`));
  const log = (line: string): void => { opts.onEvent({ type: 'step-log', id: step.id, line }); };
  const ctx: StepContext = {
    step, config: opts.config, executor: opts.executor, signal: opts.controller.signal,
    outDir: staging.out, workDir, deps, log,
    exec: (inv) => opts.executor.run(inv, { signal: opts.controller.signal, onLine: (line) => { log(line); } }),
  };
  const started = Date.now();
  try {
    const fault = await injectFault(step.id, staging.out, opts.controller.signal);
    if (fault) { await opts.cache.discard(staging); return { ok: false as const, error: fault }; }
    const facts = await opts.steps(step).run(ctx);
    if (!facts.ok) { await opts.cache.discard(staging); return facts; }
    const record = await recordOutputs(step, staging.out, facts.value, Date.now() - started, opts.controller.signal);
    return { ok: true as const, value: await opts.cache.commit(staging, record) };
  } catch (cause) {
    await opts.cache.discard(staging);
    return { ok: false as const, error: { code: 'internal', message: (cause as Error).message, cause } satisfies StepFailure };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
