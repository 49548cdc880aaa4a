/**
 * Puts a disk together from partition images: a sparse file of the planned size, the partition
 * table written by sfdisk from a script (never touching the kernel: no loop devices, no reread),
 * then each partition image copied into place with `dd conv=notrunc,sparse`.
 */
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepContext } from '../types.js';
import type { StepFailure } from '../../run/types.js';
import { MIB, SECTOR, sfdiskScript, startLba, sizeSectors, type DiskPlan } from './layout.js';
import { digestFile } from '../../digest/file-digest.js';
import { err, ok, type Result } from '../../util/result.js';

export function sfdiskArgv(image: string): string[] {
  return ['sfdisk', '--quiet', '--no-reread', '--no-tell-kernel', '--wipe', 'never', image];
}

export function placeArgv(partImage: string, disk: string, startMiB: number): string[] {
  return ['dd', `if=${partImage}`, `of=${disk}`, 'bs=1M', `seek=${startMiB}`, 'conv=notrunc,sparse', 'status=none'];
}

/** Writes `disk` from `plan`; `images` maps partition names to their images (each exactly its size). */
export async function assembleDisk(ctx: StepContext, plan: DiskPlan, images: ReadonlyMap<string, string>, disk: string): Promise<Result<void, StepFailure>> {
  const fh = await open(disk, 'w');
  try { await fh.truncate(plan.sizeMiB * MIB); } finally { await fh.close(); }
  const script = join(ctx.workDir, 'table.sfdisk');
  await writeFile(script, sfdiskScript(plan));
  const table = await ctx.exec({ argv: sfdiskArgv(disk), stdinFile: script, purpose: `write the ${plan.label} partition table` });
  if (!table.ok) return err({ code: 'exec', failure: table.error });
  for (const p of plan.partitions) {
    const image = images.get(p.name);
    if (!image) continue;
    const r = await ctx.exec({ argv: placeArgv(image, disk, p.startMiB), purpose: `place the ${p.name} partition` });
    if (!r.ok) return err({ code: 'exec', failure: r.error });
  }
  return ok(undefined);
}

/** The partition table and each partition's digests, for the manifest. */
export async function partitionFacts(plan: DiskPlan, images: ReadonlyMap<string, string>, signal: AbortSignal): Promise<Record<string, unknown>> {
  const partitions = [];
  for (const [i, p] of plan.partitions.entries()) {
    const image = images.get(p.name);
    const digest = image ? await digestFile(image, { signal }) : undefined;
    partitions.push({
      number: i + 1, name: p.name, type: p.type.toLowerCase(), uuid: p.uuid,
      start_lba: startLba(p), size_sectors: sizeSectors(p), offset_bytes: startLba(p) * SECTOR, size_bytes: sizeSectors(p) * SECTOR,
      ...(p.bootable ? { bootable: true } : {}),
      ...(digest ? { sha256: digest.sha256, fsverity_root_hash: digest.fsverity_root_hash } : {}),
    });
  }
  return { label: plan.label, label_id: plan.labelId.toLowerCase(), sector_size: SECTOR, size_bytes: plan.sizeMiB * MIB, partitions };
}
