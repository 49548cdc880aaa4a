/**
 * FAT filesystem images (ESP, Raspberry Pi boot partition) without mounting: mkfs.vfat on a
 * sized file, then mtools. `--invariant` must come before `-i`, or the volume id is reset to
 * 1234ABCD; mtools stamps SOURCE_DATE_EPOCH (in local time, hence TZ=UTC) unless `-m` is used.
 */
import { open, stat } from 'node:fs/promises';
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
  /** FAT type; default 32 (an ESP partition). Small images (an ISO's efi.img) need 12 or 16. */
  fatBits?: 12 | 16 | 32;
}

/** A file to put on the filesystem: host path -> absolute path inside (e.g. `/EFI/BOOT/BOOTX64.EFI`). */
export interface FatFile { source: string; dest: string }

export function mkfsVfatArgv(o: FatOptions, image: string): string[] {
  return ['mkfs.vfat', '-F', String(o.fatBits ?? 32), '-S', '512', '-n', o.label, '--invariant', '-i', o.volumeId, image];
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

/**
 * Room for file data in a FAT32 filesystem of `sizeMiB`: minus the reserved sectors, two FATs
 * (4 bytes per 512-byte cluster each: ~1.6 %) and a margin for directories and cluster slack.
 */
export function fatCapacityBytes(sizeMiB: number): number {
  return Math.floor(sizeMiB * MIB * 0.975) - MIB;
}

/** Makes `image` (sizeMiB) as FAT32 holding `files`. */
export async function makeFat(ctx: StepContext, o: FatOptions, files: readonly FatFile[], image: string): Promise<Result<void, StepFailure>> {
  const need = (await Promise.all(files.map(async (f) => (await stat(f.source)).size))).reduce((a, b) => a + b, 0);
  if (need > fatCapacityBytes(o.sizeMiB)) {
    return err({ code: 'check', message: `FAT "${o.label}": ${(need / MIB).toFixed(1)} MiB of files do not fit ${o.sizeMiB} MiB; raise the partition size in the variant file` });
  }
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
