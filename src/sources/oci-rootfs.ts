/**
 * The rootfs step's `source: oci`: the image pulled for the step's arch, its tree packed as the
 * rootfs tar. Unlike `source: dir`, owners and xattrs are kept (they are the image's). The pull
 * cache lives in the step's work dir: the step cache already keys the result by the reference.
 */
import { join } from 'node:path';
import type { StepContext } from '../steps/types.js';
import type { StepFailure } from '../run/types.js';
import { resolveSource } from './resolve-source.js';
import { err, ok, type Result } from '../util/result.js';

/** tar of an image tree: sorted, clamped, numeric owners kept, xattrs kept. Pure. */
export function packImageArgv(root: string, tar: string, sourceDateEpoch: number): string[] {
  return ['tar', '--sort=name', `--mtime=@${sourceDateEpoch}`, '--clamp-mtime', '--numeric-owner', '--xattrs', '--xattrs-include=*',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime', '--format=posix', '-C', root, '-cf', tar, '.'];
}

export async function ociRootfs(ctx: StepContext, reference: string, tar: string): Promise<Result<Record<string, unknown>, StepFailure>> {
  const src = await resolveSource(reference, { cacheDir: join(ctx.workDir, 'oci-cache'), arch: ctx.step.arch, executor: ctx.executor, signal: ctx.signal, log: (line) => { ctx.log(line); } });
  if (!src.ok) return err({ code: 'check', message: `${ctx.step.id}: ${src.error.message}` });
  const r = await ctx.exec({ argv: packImageArgv(src.value.root, tar, ctx.config.pins.source_date_epoch), env: { LC_ALL: 'C.UTF-8' }, purpose: `pack ${reference} into the root filesystem tar` });
  return r.ok ? ok({ oci: src.value.record }) : err({ code: 'exec', failure: r.error });
}
