/**
 * FAT filesystem images (ESP, Raspberry Pi boot partition) without mounting: mkfs.vfat on a
 * sized file, then mtools. `--invariant` must come before `-i`, or the volume id is reset to
 * 1234ABCD; mtools stamps SOURCE_DATE_EPOCH (in local time, hence TZ=UTC) unless `-m` is used.
 */
import { open } from 'node:fs/promises';
import type { StepContext } from '../types.js';
import type { StepFailure } from '../../run/types.js';
import { MIB } from './layout.js';
import { err, ok, type Result } from '../../util/result.js';

export interface FatOptions {
  /** Volume label, at most 11 characters. */
  label: string;
  /** Volume id: 8 hex digits. */
  volumeId: string;
  sizeMiB: number;
  sourceDateEpoch: number;
}

/** A file to put on the filesystem: host path -> absolute path inside (e.g. `/EFI/BOOT/BOOTX64.EFI`). */
export interface FatFile { source: string; dest: string }

export function mkfsVfatArgv(o: FatOptions, image: string): string[] {
  return ['mkfs.vfat', '-F', '32', '-S', '512', '-n', o.label, '--invariant', '-i', o.volumeId, image];
}

/** Directories to create (parents first) for a set of files. Pure. */
export function fatDirs(files: readonly FatFile[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.dest.split('/').filter(Boolean).slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(`/${parts.slice(0, i).join('/')}`);
  }
  return [...dirs].sort();
}

/** mtools argv: one `mmd` for every directory, then one `mcopy` per file, in sorted order. Pure. */
export function mtoolsArgvs(files: readonly FatFile[], image: string): string[][] {
  const dirs = fatDirs(files);
  const copies = [...files].sort((a, b) => (a.dest < b.dest ? -1 : 1))
    .map((f) => ['mcopy', '-o', '-i', image, f.source, `::${f.dest}`]);
  return [...(dirs.length > 0 ? [['mmd', '-i', image, ...dirs.map((d) => `::${d}`)]] : []), ...copies];
}

export function mtoolsEnv(sourceDateEpoch: number): Record<string, string> {
  return { SOURCE_DATE_EPOCH: String(sourceDateEpoch), TZ: 'UTC', MTOOLS_SKIP_CHECK: '1', LC_ALL: 'C' };
}

/** Makes `image` (sizeMiB) as FAT32 holding `files`. */
export async function makeFat(ctx: StepContext, o: FatOptions, files: readonly FatFile[], image: string): Promise<Result<void, StepFailure>> {
  const fh = await open(image, 'w');
  try { await fh.truncate(o.sizeMiB * MIB); } finally { await fh.close(); }
  const mk = await ctx.exec({ argv: mkfsVfatArgv(o, image), purpose: `make the FAT filesystem "${o.label}"` });
  if (!mk.ok) return err({ code: 'exec', failure: mk.error });
  const env = mtoolsEnv(o.sourceDateEpoch);
  for (const argv of mtoolsArgvs(files, image)) {
    const r = await ctx.exec({ argv, env, purpose: `fill the FAT filesystem "${o.label}"`, hint: `the partition may be too small: raise its size (${o.sizeMiB} MiB now)` });
    if (!r.ok) return err({ code: 'exec', failure: r.error });
  }
  return ok(undefined);
}
