/** The contract between the scheduler and a step implementation. Type-only module. */
import type { Config } from '../config/types.js';
import type { PlannedStep, StepKind } from '../plan/types.js';
import type { ExecFailure, ExecOutput, Executor, Invocation } from '../exec/types.js';
import type { ToolSpec } from '../exec/tools.js';
import type { CacheEntry } from '../run/cache.js';
import type { StepFailure } from '../run/types.js';
import type { Result } from '../util/result.js';

export interface StepContext {
  step: PlannedStep;
  config: Config;
  executor: Executor;
  signal: AbortSignal;
  /** Staging directory: everything written here becomes the step's cached output. */
  outDir: string;
  /** Scratch directory, deleted after the step. */
  workDir: string;
  /** Cached outputs of the step's dependencies, by step kind (shared stages) or id. */
  deps: ReadonlyMap<string, CacheEntry>;
  /** Runs a command through the executor with the run's signal, streaming lines to the log. */
  exec(invocation: Invocation): Promise<Result<ExecOutput, ExecFailure>>;
  log(line: string): void;
}

export interface StepImpl {
  /** Host tools this step runs; checked by preflight before anything starts. */
  tools(step: PlannedStep, config: Config): readonly ToolSpec[];
  /** Builds the outputs into ctx.outDir and returns the facts for the manifest. */
  run(ctx: StepContext): Promise<Result<Record<string, unknown>, StepFailure>>;
}

export type StepRegistry = (step: PlannedStep) => StepImpl;
export type { StepKind };
