/**
 * QEMU argv for booting disk images the way a machine would: through its firmware (SeaBIOS,
 * OVMF, AAVMF) from the disk, or, for the Raspberry Pi image that QEMU cannot boot as a Pi, its
 * kernel, initrd and root under `virt`. Pure: the smoke runner executes what these return.
 */
import type { Arch } from '../config/types.js';
import type { Accel } from './qemu.js';
import { directBootArgv, machineArgs, qemuProgram } from './qemu.js';
import { uefiPflashArgs } from './firmware.js';
import { assertNever } from '../util/result.js';
import type { CdBootKind } from './iso-boot.js';

/**
 * How a cell is booted: `direct` (-kernel/-initrd), firmware from disk, or the rpi4 payload;
 * an ISO also as a CD (iso-boot.ts), the iPXE bundle over the network (netboot.ts).
 */
export type BootKind = 'direct' | 'seabios' | 'ovmf' | 'aavmf' | 'rpi4-payload' | CdBootKind | 'netboot-bios';

/** The boots that prove a cell, by packager and arch. Pure. */
export function bootsFor(packager: string, arch: Arch): BootKind[] {
  switch (packager) {
    case 'kernel-initrd': return ['direct'];
    case 'raw':
    case 'qcow2': return arch === 'amd64' ? ['seabios', 'ovmf'] : ['aavmf'];
    case 'arm64-uefi': return arch === 'arm64' ? ['aavmf'] : [];
    case 'rpi4': return arch === 'arm64' ? ['rpi4-payload'] : [];
    // The hybrid ISO as a CD and as a disk.
    case 'iso': return arch === 'amd64' ? ['cd-seabios', 'cd-ovmf', 'seabios', 'ovmf'] : ['cd-aavmf', 'aavmf'];
    // Debian has no arm64 iPXE; UEFI netboot cannot be driven by slirp's single boot file.
    case 'ipxe': return arch === 'amd64' ? ['netboot-bios'] : [];
    default: return [];
  }
}

export interface DiskBoot {
  kind: 'seabios' | 'ovmf' | 'aavmf';
  arch: Arch;
  disk: string;
  format: 'raw' | 'qcow2';
  accel: Accel;
  identity?: string;
  memoryMiB?: number;
}

/** Firmware arguments for a boot kind; SeaBIOS is QEMU's default x86 firmware. */
function firmware(kind: DiskBoot['kind'], arch: Arch): string[] {
  switch (kind) {
    case 'seabios': return [];
    case 'ovmf':
    case 'aavmf': return uefiPflashArgs(arch);
    default: return assertNever(kind, 'firmware');
  }
}

export function diskBootArgv(b: DiskBoot): string[] {
  if (b.kind === 'seabios' && b.arch !== 'amd64') throw new Error('invariant: SeaBIOS boots amd64 only');
  return [
    qemuProgram(b.arch), ...machineArgs(b.arch, b.accel), ...firmware(b.kind, b.arch),
    '-m', String(b.memoryMiB ?? 1024), '-smp', '1',
    '-nodefaults', '-nographic', '-no-reboot', '-serial', 'stdio', '-monitor', 'none',
    // snapshot=on: the boot never writes to the built artifact.
    '-drive', `file=${b.disk},format=${b.format},if=virtio,snapshot=on`,
    ...(b.identity ? ['-fw_cfg', `name=opt/powernode/identity,string=${b.identity}`] : []),
  ];
}

/**
 * The Pi's command line made usable under `virt`: its consoles (`ttyS1`, the Pi's GPIO UART, and
 * `tty1`, HDMI) do not exist there, so they are replaced by the PL011 ttyAMA0. The guest is not
 * stopped after the marker: the boot goes on to mount the image's root partition (ROOT_MOUNTED).
 */
export function virtCmdline(piCmdline: string): string {
  const rest = piCmdline.trim().split(/\s+/).filter((a) => a !== '' && !a.startsWith('console='));
  return ['console=ttyAMA0', ...rest.filter((a) => !a.startsWith('panic=')), 'panic=-1'].join(' ');
}

/** The kernel's line when the root partition (the image's second partition, vda2) is mounted. */
export const ROOT_MOUNTED = /EXT4-fs \(vda2\): mounted filesystem/;

export interface Rpi4PayloadBoot { kernel: string; initrd: string; cmdline: string; disk: string; accel: Accel; identity?: string }

/** The rpi4 image's kernel and initrd booted directly under `virt`, its root partition attached. */
export function rpi4PayloadArgv(b: Rpi4PayloadBoot): string[] {
  return [
    ...directBootArgv({ arch: 'arm64', kernel: b.kernel, initrd: b.initrd, cmdline: virtCmdline(b.cmdline), accel: b.accel, identity: b.identity }),
    '-drive', `file=${b.disk},format=raw,if=virtio,snapshot=on`,
  ];
}
