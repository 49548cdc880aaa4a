/**
 * The hybrid ISO, made with `xorriso -as mkisofs` directly (grub-mkrescue forces its own date and
 * is not reproducible). amd64: El Torito BIOS (GRUB i386-pc-eltorito) + El Torito UEFI (the
 * appended efi.img) + an MBR (GRUB's boot_hybrid.img) and a GPT, so one file boots as a CD and as
 * a disk under SeaBIOS and UEFI. arm64: El Torito UEFI and the GPT only. Volume dates, GPT GUIDs
 * and file times come from SOURCE_DATE_EPOCH. Pure.
 */
import { grubConfig } from '../disk/grub.js';
import type { Arch } from '../../config/types.js';

/** Where things sit inside the ISO 9660 tree. */
export const ISO_PATHS = {
  kernel: '/boot/vmlinuz',
  initrd: '/boot/initrd.img',
  catalog: 'boot/boot.cat',
  eltorito: 'boot/grub/i386-pc/eltorito.img',
  live: 'live',
} as const;

export const GRUB_HYBRID_MBR = '/usr/lib/grub/i386-pc/boot_hybrid.img';

export interface XorrisoArgs {
  arch: Arch;
  label: string;
  tree: string;
  efiImage: string;
  output: string;
  /** Every file and directory time in the ISO; xorriso also needs it as SOURCE_DATE_EPOCH. */
  sourceDateEpoch: number;
}

export function xorrisoArgv(a: XorrisoArgs): string[] {
  const bios = a.arch === 'amd64'
    ? ['--grub2-mbr', GRUB_HYBRID_MBR, '--mbr-force-bootable']
    : [];
  const biosEltorito = a.arch === 'amd64'
    ? ['-b', ISO_PATHS.eltorito, '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table', '--grub2-boot-info', '-eltorito-alt-boot']
    : [];
  return [
    'xorriso', '-as', 'mkisofs', '-o', a.output, '-V', a.label, '-R', '-J', '-joliet-long',
    // SOURCE_DATE_EPOCH alone fixes the volume dates but only copies each file's mtime (the
    // time the tree was staged) into its atime and ctime: pin all of them.
    '--set_all_file_dates', `=${a.sourceDateEpoch}`,
    ...bios, '-partition_offset', '16',
    '-append_partition', '2', '0xef', a.efiImage, '-appended_part_as_gpt',
    '-c', ISO_PATHS.catalog, ...biosEltorito,
    '-e', '--interval:appended_partition_2:all::', '-no-emul-boot',
    a.tree,
  ];
}

/**
 * grub.cfg of both GRUB images: find the ISO 9660 volume by its label (a CD, or the same ISO
 * written to a disk), load, boot; no menu. `serial` mirrors GRUB to the first serial port (BIOS).
 */
export function isoGrubConfig(o: { label: string; cmdline: string; serial: boolean }): string {
  return grubConfig({ bootLabel: o.label, kernelPath: ISO_PATHS.kernel, initrdPath: ISO_PATHS.initrd, cmdline: o.cmdline, serial: o.serial, live: true });
}

/** GRUB modules an ISO boot needs on top of the disk set. */
export const ISO_GRUB_MODULES = ['iso9660', 'search_label'] as const;

/** The live-root source in a command line (`powernode.live=LABEL=X` -> `X`), or null. Pure. */
export function liveLabel(cmdline: string): string | null {
  const m = /(?:^|\s)powernode\.live=LABEL=(\S+)/.exec(cmdline);
  return m?.[1] ?? null;
}
