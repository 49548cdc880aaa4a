/**
 * UEFI firmware for smoke boots, from Debian's ovmf (amd64) and qemu-efi-aarch64 (arm64)
 * packages. The code volume is read-only; the variable store is opened with snapshot=on, so
 * each boot starts from the packaged defaults and nothing is written back (no temp copies).
 */
import type { Arch } from '../config/types.js';

export interface UefiFirmware { code: string; vars: string; package: string }

export const UEFI_FIRMWARE: Readonly<Record<Arch, UefiFirmware>> = {
  amd64: { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd', package: 'ovmf' },
  arm64: { code: '/usr/share/AAVMF/AAVMF_CODE.fd', vars: '/usr/share/AAVMF/AAVMF_VARS.fd', package: 'qemu-efi-aarch64' },
};

/** The two pflash drives for UEFI firmware. Pure. */
export function uefiPflashArgs(arch: Arch): string[] {
  const fw = UEFI_FIRMWARE[arch];
  return [
    '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${fw.code}`,
    '-drive', `if=pflash,format=raw,unit=1,snapshot=on,file=${fw.vars}`,
  ];
}
