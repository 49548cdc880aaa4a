/** Helpers for the disk image tests: manifest facts, the table sfdisk reads back, byte ranges. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cp, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../helpers.js';

const run = promisify(execFile);

export interface PartitionFacts {
  number: number; name: string; type: string; uuid: string | null;
  start_lba: number; size_sectors: number; offset_bytes: number; size_bytes: number;
  bootable?: boolean; sha256: string; fsverity_root_hash: string;
}
export interface DiskFacts {
  partition_table: { label: string; label_id: string; size_bytes: number; partitions: PartitionFacts[] };
  filesystems: Record<string, { type: string; label: string }>;
  boot_files?: string[];
  from?: string;
  [k: string]: unknown;
}

export async function loadFacts<T = DiskFacts>(cellDir: string, stepId: string): Promise<T> {
  const manifest = JSON.parse(await readFile(join(cellDir, 'build-manifest.json'), 'utf8')) as { facts: Record<string, T> };
  const facts = manifest.facts[stepId];
  if (!facts) throw new Error(`no facts for ${stepId} in ${cellDir}`);
  return facts;
}

export interface SfdiskTable { label: string; id: string; partitions: { start: number; size: number; type: string; uuid: string; name?: string; bootable?: boolean }[] }

export async function sfdiskJson(image: string): Promise<SfdiskTable> {
  const { stdout } = await run('sfdisk', ['--json', image]);
  return (JSON.parse(stdout) as { partitiontable: SfdiskTable }).partitiontable;
}

export async function readSector0(image: string): Promise<Buffer> {
  const fh = await open(image, 'r');
  try { const b = Buffer.alloc(512); await fh.read(b, 0, 512, 0); return b; } finally { await fh.close(); }
}

export async function rangeSha256(file: string, offset: number, size: number): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { start: offset, end: offset + size - 1, highWaterMark: 4 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Copies the shared stages (rootfs, kernel, initramfs) of a selection from one step cache into
 * another, so a second build there re-runs only the packagers: proves the packaging is
 * deterministic without bootstrapping Debian again (the kernel-initrd test covers the stages).
 */
export async function seedSharedStages(fromCache: string, toCache: string, select: readonly string[]): Promise<void> {
  const plan = await runCli(['plan', '--json', ...select]);
  if (plan.code !== 0) throw new Error(plan.stderr);
  const steps = (JSON.parse(plan.stdout) as { steps: { kind: string; key: string }[] }).steps;
  for (const s of steps.filter((x) => ['rootfs', 'kernel', 'initramfs'].includes(x.kind))) {
    await cp(join(fromCache, 'steps', s.key), join(toCache, 'steps', s.key), { recursive: true });
  }
}
