/**
 * ext4 filesystem images made from a directory, without mounting anything (`mkfs.ext4 -d`).
 * mke2fs 1.47.0 ignores SOURCE_DATE_EPOCH: E2FSPROGS_FAKE_TIME pins the superblock times, and
 * since `-d` copies each file's atime and ctime from the source tree (the time it was extracted),
 * a debugfs pass resets those afterwards. mtimes come from the reproducible rootfs tar.
 */
import { open, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { StepContext } from '../types.js';
import type { StepFailure } from '../../run/types.js';
import { cellUuid, type IdScope, type Uuid } from './guid.js';
import { MIB } from './layout.js';
import { err, ok, type Result } from '../../util/result.js';

export interface Ext4Options {
  /** Filesystem label (`LABEL=` on the kernel command line). */
  label: string;
  uuid: Uuid;
  hashSeed: Uuid;
  sizeMiB: number;
  sourceDateEpoch: number;
}

/** The root filesystem's options: label `root`, ids derived from the cell (see guid.ts). Pure. */
export function rootExt4Options(scope: IdScope, sizeMiB: number, sourceDateEpoch: number): Ext4Options {
  return { label: 'root', uuid: cellUuid(scope, 'fs', 'root'), hashSeed: cellUuid(scope, 'hash-seed', 'root'), sizeMiB, sourceDateEpoch };
}

/** The mkfs.ext4 argv. Pure. Features are mke2fs's defaults for `ext4`. */
export function mkfsExt4Argv(o: Ext4Options, sourceDir: string, image: string): string[] {
  return [
    'mkfs.ext4', '-q', '-F', '-L', o.label, '-U', o.uuid, '-I', '256', '-b', '4096',
    '-E', `hash_seed=${o.hashSeed},root_owner=0:0,lazy_itable_init=0,lazy_journal_init=0`,
    '-d', sourceDir, image,
  ];
}

/**
 * debugfs commands that set atime, ctime and crtime of every listed path (absolute, inside the
 * filesystem) to `epoch`. Pure. debugfs's parser takes double-quoted arguments; paths holding a
 * quote or a newline cannot be expressed and are rejected.
 */
export function resetTimesScript(paths: readonly string[], epoch: number): string {
  const lines: string[] = [];
  for (const p of paths) {
    if (/["\n]/.test(p)) throw new RangeError(`path cannot be passed to debugfs: ${JSON.stringify(p)}`);
    for (const field of ['atime', 'ctime', 'crtime']) lines.push(`sif "${p}" ${field} @${epoch}`);
  }
  return lines.join('\n') + '\n';
}

/** Every path in `root` as seen from inside the filesystem ("/", "/etc", ...), sorted. */
export async function fsPaths(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const paths = entries.map((e) => `/${relative(root, join(e.parentPath, e.name))}`);
  return ['/', '/lost+found', ...paths.sort()];
}

async function sizeFile(path: string, bytes: number): Promise<void> {
  const fh = await open(path, 'w');
  try { await fh.truncate(bytes); } finally { await fh.close(); }
}

/** Makes `image` (sizeMiB, sparse) holding `sourceDir`, with pinned times. */
export async function makeExt4(ctx: StepContext, o: Ext4Options, sourceDir: string, image: string): Promise<Result<void, StepFailure>> {
  await sizeFile(image, o.sizeMiB * MIB);
  const env = { E2FSPROGS_FAKE_TIME: String(o.sourceDateEpoch), SOURCE_DATE_EPOCH: String(o.sourceDateEpoch), TZ: 'UTC' };
  const mk = await ctx.exec({ argv: mkfsExt4Argv(o, sourceDir, image), env, purpose: `make the ext4 filesystem "${o.label}"`, hint: 'the partition may be too small for the root filesystem: raise size_mib' });
  if (!mk.ok) return err({ code: 'exec', failure: mk.error });
  let script: string;
  try { script = resetTimesScript(await fsPaths(sourceDir), o.sourceDateEpoch); } catch (cause) {
    return err({ code: 'check', message: `ext4 "${o.label}": ${(cause as Error).message}` });
  }
  const scriptFile = `${image}.debugfs`;
  await writeFile(scriptFile, script);
  // debugfs echoes every command on stdout: capture it so the log stays readable.
  const fix = await ctx.exec({ argv: ['debugfs', '-w', '-f', scriptFile, image], env, captureStdout: true, purpose: `reset file times in "${o.label}"` });
  if (!fix.ok) return err({ code: 'exec', failure: fix.error });
  const check = await ctx.exec({ argv: ['e2fsck', '-f', '-n', image], env, captureStdout: true, purpose: `check the ext4 filesystem "${o.label}"` });
  return check.ok ? ok(undefined) : err({ code: 'exec', failure: check.error });
}
