/** The build plan: cells selected and the step DAG that builds them. Type-only module. */
import type { Arch, SharedStage } from '../config/types.js';
import type { PackagerType } from '../config/schema.js';
import type { StepKey } from '../util/hash.js';

/** Stable step id, e.g. `rootfs@amd64` or `raw@arm64`. */
export type StepId = string & { readonly __brand: 'StepId' };

export type StepKind = SharedStage | 'package';

export interface Cell {
  variant: string;
  arch: Arch;
}

export interface PlannedStep {
  id: StepId;
  kind: StepKind;
  arch: Arch;
  /** The variant a `package` step belongs to; null for shared stages. */
  variant: string | null;
  /** The packager a `package` step runs; null for shared stages. */
  packager: PackagerType | null;
  /** Steps whose outputs this one reads, in id order. */
  deps: StepId[];
  /** Content-addressed key over every input: same key, same output. */
  key: StepKey;
  /** What the key was computed from (kept for `plan --json --explain` and the manifest). */
  inputs: Record<string, unknown>;
}

export interface Plan {
  format: 1;
  cells: Cell[];
  /** Steps in a topological order (dependencies first), ties broken by id. */
  steps: PlannedStep[];
}

/** Which cells to build: from ARCH/VARIANT or --arch/--variant. Empty list = all. */
export interface Selection {
  arches: readonly string[];
  variants: readonly string[];
}
