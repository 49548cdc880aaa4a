/**
 * Compares two builds of the same plan, step by step, file by file. Pure: it works on the cache
 * records the two builds left, so every stage output is compared, not only the cell artifacts.
 */
import type { Plan } from '../plan/types.js';
import type { StepRecord } from '../run/types.js';

export interface FileDifference {
  step: string;
  path: string;
  /** What differs: `sha256`, `missing-in-a`, `missing-in-b`. */
  kind: 'sha256' | 'missing-in-a' | 'missing-in-b';
  a?: string;
  b?: string;
}

export interface Comparison {
  same: number;
  different: number;
  differences: FileDifference[];
  /** The first step, in plan order, whose outputs differ: where to look first. */
  firstDivergingStep: string | null;
}

export function compareRecords(plan: Plan, a: ReadonlyMap<string, StepRecord>, b: ReadonlyMap<string, StepRecord>): Comparison {
  let same = 0;
  const differences: FileDifference[] = [];
  for (const step of plan.steps) {
    const ra = a.get(step.id);
    const rb = b.get(step.id);
    const fa = new Map((ra?.files ?? []).map((f) => [f.path, f.sha256] as const));
    const fb = new Map((rb?.files ?? []).map((f) => [f.path, f.sha256] as const));
    for (const path of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
      const ha = fa.get(path);
      const hb = fb.get(path);
      if (ha !== undefined && ha === hb) { same += 1; continue; }
      const kind = ha === undefined ? 'missing-in-a' : hb === undefined ? 'missing-in-b' : 'sha256';
      differences.push({ step: step.id, path, kind, a: ha, b: hb });
    }
  }
  return { same, different: differences.length, differences, firstDivergingStep: differences[0]?.step ?? null };
}
