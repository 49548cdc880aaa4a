/**
 * GRUB images with grub-mkimage (reproducible) and an embedded memdisk holding grub.cfg, built
 * as a reproducible tar (grub-mkstandalone stamps wall-clock mtimes into its own memdisk).
 * The config finds the boot filesystem by its FAT volume id and loads the kernel and initrd
 * from it, with no menu. Pure argv/text builders plus one function that runs them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepContext } from '../types.js';
import type { StepFailure } from '../../run/types.js';
import { assertNever, err, ok, type Result } from '../../util/result.js';

/** `i386-pc-eltorito`: the BIOS El Torito boot image of an ISO (modules from i386-pc). */
export type GrubTarget = 'i386-pc' | 'i386-pc-eltorito' | 'x86_64-efi' | 'arm64-efi';

/** The prefix grub-mkimage bakes in: the config is read from the memdisk. */
export const MEMDISK_PREFIX = '(memdisk)/boot/grub';

const COMMON_MODULES = ['memdisk', 'tar', 'normal', 'configfile', 'echo', 'test', 'search', 'search_fs_uuid', 'part_gpt', 'part_msdos', 'fat', 'ext2', 'linux', 'boot'];

/** Modules linked into the image for a target. Pure. */
export function grubModules(target: GrubTarget): string[] {
  switch (target) {
    case 'i386-pc':
    case 'i386-pc-eltorito': return ['biosdisk', ...COMMON_MODULES, 'serial', 'terminal'];
    case 'x86_64-efi': return [...COMMON_MODULES, 'efi_gop'];
    case 'arm64-efi': return [...COMMON_MODULES, 'efi_gop'];
    default: return assertNever(target, 'GRUB target');
  }
}

/** How GRUB finds the boot filesystem: a FAT volume id as GRUB prints it (`1a2b-3c4d`), or an ISO 9660 label. */
export type BootFs = { bootFsUuid: string } | { bootLabel: string };

export type GrubConfig = BootFs & {
  kernelPath: string;
  initrdPath: string;
  cmdline: string;
  /** Mirror GRUB's own messages to the first serial port (BIOS: there is no other console in CI). */
  serial: boolean;
  /** Say that a live root is loading (ISO images). */
  live?: boolean;
};

/** grub.cfg: no menu; find the boot filesystem, load, boot. Pure. */
export function grubConfig(c: GrubConfig): string {
  const search = 'bootLabel' in c ? `--label --set=root ${c.bootLabel}` : `--fs-uuid --set=root ${c.bootFsUuid.toLowerCase()}`;
  return [
    ...(c.serial ? ['serial --unit=0 --speed=115200', 'terminal_input serial console', 'terminal_output serial console'] : []),
    'set timeout=0',
    `search --no-floppy ${search}`,
    `echo "powernode: loading linux${c.live ? ' (live)' : ''}"`,
    `linux ${c.kernelPath} ${c.cmdline}`,
    `initrd ${c.initrdPath}`,
    'boot',
    '',
  ].join('\n');
}

/** A ustar archive independent of umask, owners and build time. Pure. */
export function memdiskTarArgv(dir: string, tarFile: string, sourceDateEpoch: number): string[] {
  return [
    'tar', '--sort=name', `--mtime=@${sourceDateEpoch}`, '--owner=0', '--group=0', '--numeric-owner',
    '--mode=u=rwX,go=rX', '--format=ustar', '-cf', tarFile, '-C', dir, 'boot',
  ];
}

/** `extraModules`: linked in after the target's own (e.g. `iso9660` for an ISO). */
export function grubMkimageArgv(target: GrubTarget, moduleDir: string, memdisk: string, output: string, extraModules: readonly string[] = []): string[] {
  return ['grub-mkimage', '-O', target, '-d', moduleDir, '-p', MEMDISK_PREFIX, '-m', memdisk, '-o', output, ...grubModules(target), ...extraModules];
}

/** Builds a GRUB image for `target` embedding `config`; returns nothing, writes `output`. */
export async function makeGrubImage(ctx: StepContext, target: GrubTarget, moduleDir: string, config: string, output: string, extraModules: readonly string[] = []): Promise<Result<void, StepFailure>> {
  const dir = join(ctx.workDir, `grub-${target}`);
  await mkdir(join(dir, 'boot', 'grub'), { recursive: true });
  await writeFile(join(dir, 'boot', 'grub', 'grub.cfg'), config);
  const memdisk = join(dir, 'memdisk.tar');
  const sde = ctx.config.pins.source_date_epoch;
  const tar = await ctx.exec({ argv: memdiskTarArgv(dir, memdisk, sde), purpose: 'pack the GRUB memdisk' });
  if (!tar.ok) return err({ code: 'exec', failure: tar.error });
  const mk = await ctx.exec({ argv: grubMkimageArgv(target, moduleDir, memdisk, output, extraModules), purpose: `make the GRUB ${target} image`, hint: `are GRUB's ${target} modules in ${moduleDir}?` });
  return mk.ok ? ok(undefined) : err({ code: 'exec', failure: mk.error });
}
