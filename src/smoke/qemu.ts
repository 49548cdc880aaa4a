/** QEMU argv for smoke boots. Pure: the smoke runner executes what these return. */
import type { Arch } from '../config/types.js';

export type Accel = 'tcg' | 'kvm';

export interface DirectBoot {
  arch: Arch;
  kernel: string;
  initrd: string;
  cmdline: string;
  accel: Accel;
  /** Passed through fw-cfg as opt/powernode/identity. */
  identity?: string;
  memoryMiB?: number;
}

export const MARKER = /POWERNODE-INIT-OK id=(\S+)/;

export function qemuProgram(arch: Arch): string {
  return arch === 'amd64' ? 'qemu-system-x86_64' : 'qemu-system-aarch64';
}

function machineArgs(arch: Arch, accel: Accel): string[] {
  if (arch === 'amd64') return ['-machine', `q35,accel=${accel}`, ...(accel === 'tcg' ? [] : ['-cpu', 'host'])];
  return ['-machine', `virt,accel=${accel}`, '-cpu', accel === 'tcg' ? 'cortex-a57' : 'host'];
}

export function directBootArgv(b: DirectBoot): string[] {
  return [
    qemuProgram(b.arch), ...machineArgs(b.arch, b.accel),
    '-m', String(b.memoryMiB ?? 1024), '-smp', '1',
    '-nodefaults', '-nographic', '-no-reboot', '-serial', 'stdio', '-monitor', 'none',
    '-kernel', b.kernel, '-initrd', b.initrd, '-append', b.cmdline,
    ...(b.identity ? ['-fw_cfg', `name=opt/powernode/identity,string=${b.identity}`] : []),
  ];
}
