/**
 * Failure injection for tests, off unless POWERNODE_FAULT is set:
 *   POWERNODE_FAULT="delay:<step-id>:<ms>"  sleeps inside the step (to kill a run mid-step)
 *   POWERNODE_FAULT="fail:<step-id>"        makes the step fail
 *   POWERNODE_FAULT="noise:<step-id>"       adds a file of random bytes to its output (a non-reproducible step)
 * Comma-separated for several. Never a substitute for a real step: the step still runs after a delay.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StepId } from '../plan/types.js';
import type { StepFailure } from './types.js';

function faults(env: NodeJS.ProcessEnv): string[][] {
  return (env.POWERNODE_FAULT ?? '').split(',').filter(Boolean).map((f) => f.split(':'));
}

export async function injectFault(id: StepId, outDir: string, signal: AbortSignal, env = process.env): Promise<StepFailure | undefined> {
  for (const [kind, target, arg] of faults(env)) {
    if (target !== id) continue;
    if (kind === 'delay') await sleep(Number(arg), undefined, { signal }).catch(() => undefined);
    if (kind === 'noise') await writeFile(join(outDir, 'noise.bin'), randomBytes(64));
    if (kind === 'fail') return { code: 'check', message: `injected failure (POWERNODE_FAULT) in ${id}` };
  }
  return undefined;
}
