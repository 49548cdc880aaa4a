/**
 * Partition layouts and the sfdisk scripts that write them. Pure: sizes in, a table out.
 * Everything is aligned to 1 MiB so partitions can be placed with `dd bs=1M` and the first
 * partition starts where every partitioning tool puts it (LBA 2048).
 */
import type { Arch } from '../../config/types.js';
import { cellUuid, shortId, type IdScope, type Uuid } from './guid.js';

export const SECTOR = 512;
export const MIB = 1024 * 1024;
const SECTORS_PER_MIB = MIB / SECTOR;

/** GPT partition type GUIDs (UEFI spec; root types from the Discoverable Partitions Specification). */
export const GPT_TYPE = {
  bios: '21686148-6449-6E6F-744E-656564454649',
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  'root-amd64': '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709',
  'root-arm64': 'B921B045-1DF0-41C3-AF44-4C6F280D3FAE',
} as const;

/** MBR partition type bytes. */
export const MBR_TYPE = { fat32Lba: 'c', linux: '83' } as const;

/** One partition of a planned disk. */
export interface PartitionPlan {
  /** GPT partition name (PARTLABEL) and the key its GUID is derived from. */
  name: string;
  /** GPT type GUID or MBR type byte (hex, no 0x). */
  type: string;
  /** GPT partition GUID; null on MBR disks. */
  uuid: Uuid | null;
  startMiB: number;
  sizeMiB: number;
  /** MBR active flag (the Pi firmware ignores it; some tools expect it on the boot partition). */
  bootable?: boolean;
}

export interface DiskPlan {
  label: 'gpt' | 'dos';
  /** GPT disk GUID, or the MBR disk signature as 0xXXXXXXXX. */
  labelId: string;
  sizeMiB: number;
  partitions: PartitionPlan[];
}

export interface PartSpec { name: string; type: string; sizeMiB: number | 'rest'; bootable?: boolean }

/**
 * Lays partitions out back to back from 1 MiB; `rest` takes what is left before the last MiB,
 * which stays free for the backup GPT (33 sectors) on both label types, so they share one rule.
 */
export function planDisk(scope: IdScope, label: 'gpt' | 'dos', sizeMiB: number, specs: readonly PartSpec[]): DiskPlan {
  let start = 1;
  const fixed = specs.reduce((n, s) => n + (s.sizeMiB === 'rest' ? 0 : s.sizeMiB), 0);
  const rest = sizeMiB - 2 - fixed;
  if (rest < 1) throw new RangeError(`disk of ${sizeMiB} MiB cannot hold ${fixed} MiB of fixed partitions`);
  const partitions = specs.map((s): PartitionPlan => {
    const size = s.sizeMiB === 'rest' ? rest : s.sizeMiB;
    const p: PartitionPlan = { name: s.name, type: s.type, uuid: label === 'gpt' ? cellUuid(scope, 'part', s.name) : null, startMiB: start, sizeMiB: size, ...(s.bootable ? { bootable: true } : {}) };
    start += size;
    return p;
  });
  const labelId = label === 'gpt' ? cellUuid(scope, 'disk') : `0x${shortId(scope, 'disk').toLowerCase()}`;
  return { label, labelId, sizeMiB, partitions };
}

export function rootType(arch: Arch): string {
  return GPT_TYPE[`root-${arch}`];
}

/** The sfdisk script (`sfdisk --no-reread --no-tell-kernel IMG < script`) for a plan. */
export function sfdiskScript(plan: DiskPlan): string {
  const head = [`label: ${plan.label}`, `label-id: ${plan.labelId}`, 'unit: sectors', 'sector-size: 512'];
  if (plan.label === 'gpt') head.push('first-lba: 2048', `last-lba: ${plan.sizeMiB * SECTORS_PER_MIB - 34}`);
  const lines = plan.partitions.map((p) => {
    const fields = [`start=${p.startMiB * SECTORS_PER_MIB}`, `size=${p.sizeMiB * SECTORS_PER_MIB}`, `type=${p.type}`];
    if (p.uuid) fields.push(`uuid=${p.uuid.toUpperCase()}`, `name="${p.name}"`);
    if (p.bootable) fields.push('bootable');
    return fields.join(', ');
  });
  return [...head, '', ...lines, ''].join('\n');
}

export function partitionByName(plan: DiskPlan, name: string): PartitionPlan {
  const p = plan.partitions.find((x) => x.name === name);
  if (!p) throw new Error(`invariant: no partition "${name}" in the plan`);
  return p;
}

/** First sector of a partition. */
export const startLba = (p: PartitionPlan): number => p.startMiB * SECTORS_PER_MIB;
export const sizeSectors = (p: PartitionPlan): number => p.sizeMiB * SECTORS_PER_MIB;
