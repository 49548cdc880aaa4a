/** Run-time records and events. Type-only module. */
import type { FileDigest } from '../digest/file-digest.js';
import type { StepKey } from '../util/hash.js';
import type { StepId, StepKind } from '../plan/types.js';
import type { ExecFailure } from '../exec/types.js';

/** What a step leaves in the cache beside its output files. Persisted: has a format version. */
export interface StepRecord {
  format: 1;
  id: StepId;
  kind: StepKind;
  key: StepKey;
  /** Every output file, path relative to the step's out/ directory, sorted by path. */
  files: FileDigest[];
  /** Facts the step found (package list, kernel version, ...) for manifests. Deterministic. */
  facts: Record<string, unknown>;
  /** How long the step took when it ran (informational, never hashed). */
  duration_ms: number;
}

export type StepFailure =
  | { code: 'exec'; failure: ExecFailure }
  | { code: 'check'; message: string }
  | { code: 'internal'; message: string; cause?: unknown };

export type StepStatus = 'done' | 'cached' | 'failed' | 'skipped' | 'cancelled';

export interface StepOutcome {
  id: StepId;
  status: StepStatus;
  durationMs: number;
  failure?: StepFailure;
}

export type RunEvent =
  | { type: 'step-start'; id: StepId }
  | { type: 'step-cached'; id: StepId }
  | { type: 'step-log'; id: StepId; line: string }
  | { type: 'step-done'; id: StepId; durationMs: number }
  | { type: 'step-failed'; id: StepId; failure: StepFailure }
  | { type: 'step-skipped'; id: StepId; reason: string }
  | { type: 'cell-written'; id: StepId; dir: string; /** false: already in place, unchanged. */ written: boolean };
