/** Digests a step's output directory into its cache record. */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { PlannedStep } from '../plan/types.js';
import type { StepRecord } from './types.js';
import { digestFiles } from '../digest/file-digest.js';

export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

export async function recordOutputs(step: PlannedStep, outDir: string, facts: Record<string, unknown>, durationMs: number, signal: AbortSignal): Promise<StepRecord> {
  const rel = await listFiles(outDir);
  const digests = await digestFiles(rel.map((p) => join(outDir, p)), { signal });
  const files = digests.map((d, i) => ({ ...d, path: rel[i] ?? d.path }));
  return { format: 1, id: step.id, kind: step.kind, key: step.key, files, facts, duration_ms: durationMs };
}
