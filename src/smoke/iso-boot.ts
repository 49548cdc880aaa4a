/**
 * QEMU argv for booting a hybrid ISO as a CD: AHCI CD-ROM on q35 (SeaBIOS or OVMF), virtio-scsi
 * CD-ROM on arm64 `virt` (AAVMF). The same ISO as a disk boots through diskBootArgv
 * (disk-boot.ts). Pure.
 */
import type { Arch } from '../config/types.js';
import type { Accel } from './qemu.js';
import { machineArgs, qemuProgram } from './qemu.js';
import { uefiPflashArgs } from './firmware.js';
import { assertNever } from '../util/result.js';

export type CdBootKind = 'cd-seabios' | 'cd-ovmf' | 'cd-aavmf';

export interface CdBoot {
  kind: CdBootKind;
  arch: Arch;
  iso: string;
  accel: Accel;
  identity?: string;
  memoryMiB?: number;
}

function cdrom(arch: Arch, iso: string): string[] {
  const drive = ['-drive', `if=none,id=cd0,file=${iso.replaceAll(',', ',,')},format=raw,media=cdrom,readonly=on`];
  // q35's built-in AHCI has buses ide.0-ide.5; `virt` has no IDE/AHCI, so SCSI over virtio.
  return arch === 'amd64'
    ? [...drive, '-device', 'ide-cd,drive=cd0,bus=ide.0,bootindex=0']
    : ['-device', 'virtio-scsi-pci,id=scsi0', ...drive, '-device', 'scsi-cd,drive=cd0,bus=scsi0.0,bootindex=0'];
}

function firmware(kind: CdBootKind, arch: Arch): string[] {
  switch (kind) {
    case 'cd-seabios':
      if (arch !== 'amd64') throw new Error('invariant: SeaBIOS boots amd64 only');
      return [];
    case 'cd-ovmf':
    case 'cd-aavmf': return uefiPflashArgs(arch);
    default: return assertNever(kind, 'CD boot kind');
  }
}

export function cdBootArgv(b: CdBoot): string[] {
  return [
    qemuProgram(b.arch), ...machineArgs(b.arch, b.accel), ...firmware(b.kind, b.arch),
    '-m', String(b.memoryMiB ?? 1024), '-smp', '1',
    '-nodefaults', '-nographic', '-no-reboot', '-serial', 'stdio', '-monitor', 'none',
    ...cdrom(b.arch, b.iso),
    ...(b.identity ? ['-fw_cfg', `name=opt/powernode/identity,string=${b.identity}`] : []),
  ];
}
