/**
 * A layer's tree as a reproducible SquashFS. squashfs-tools 4.5 refuses SOURCE_DATE_EPOCH
 * together with -mkfs-time/-all-time, so only the environment variable is used: it pins both
 * the filesystem time and every inode's time.
 */
import type { Executor } from '../exec/types.js';
import { formatExecFailure } from '../exec/format.js';
import type { LayerFailure } from './types.js';
import { err, ok, type Result } from '../util/result.js';

/** Pure. `-noappend`: an old file at `out` is replaced, never extended. */
export function mksquashfsArgv(root: string, out: string): string[] {
  return ['mksquashfs', root, out, '-reproducible', '-noappend', '-comp', 'xz', '-no-progress', '-quiet'];
}

export async function writeSquashfs(root: string, out: string, sourceDateEpoch: number, o: { executor: Executor; signal: AbortSignal }): Promise<Result<void, LayerFailure>> {
  const r = await o.executor.run({
    argv: mksquashfsArgv(root, out), env: { SOURCE_DATE_EPOCH: String(sourceDateEpoch) },
    purpose: 'make the SquashFS root image', hint: 'install squashfs-tools',
  }, { signal: o.signal });
  return r.ok ? ok(undefined) : err({ code: 'exec', message: formatExecFailure(r.error), cause: r.error });
}
