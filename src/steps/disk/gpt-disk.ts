/**
 * The GPT disk shared by `raw` (amd64, arm64) and `arm64-uefi`:
 *   1  bios  1 MiB   GRUB i386-pc core.img (amd64 only; boot.img in the MBR points at it)
 *   2  esp   FAT32   EFI/BOOT/BOOT{X64,AA64}.EFI (GRUB), vmlinuz, initrd.img
 *   3  root  ext4    the root filesystem (label "root", PARTLABEL "root"), or EROFS (raw with
 *                    `root_fs: erofs`: read-only, the lowest layer of 90powernode's RAM overlay,
 *                    `root=powernode powernode.live=/dev/disk/by-partlabel/root`)
 * GRUB's config lives in its memdisk and finds the ESP by its volume id, so BIOS and UEFI boot
 * the very same kernel and initrd files. arm64-uefi may use systemd-boot instead: the root's
 * systemd-bootaa64.efi as BOOTAA64.EFI, loader/loader.conf and one Boot Loader Spec entry
 * (loader/entries/powernode.conf) for the same kernel and initrd.
 */
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Arch } from '../../config/types.js';
import type { StepContext } from '../types.js';
import type { StepFailure } from '../../run/types.js';
import { fatUuidString, shortId, type IdScope } from './guid.js';
import { GPT_TYPE, MIB, planDisk, partitionByName, rootType, startLba, type DiskPlan, type PartSpec } from './layout.js';
import { makeExt4, rootExt4Options, type Ext4Options } from './ext4.js';
import { makeFat, type FatFile } from './fat.js';
import { grubConfig, makeGrubImage, type GrubTarget } from './grub.js';
import { installBootSector, patchCoreImage } from './bios-boot.js';
import { assembleDisk, partitionFacts } from './assemble.js';
import { diskInputs, type DiskInputs } from './inputs.js';
import { liveImageInvocation } from '../live/rootfs-image.js';
import { err, ok, type Result } from '../../util/result.js';

export const GRUB_HOST_DIR = '/usr/lib/grub';
export const KERNEL_ON_ESP = '/vmlinuz';
export const INITRD_ON_ESP = '/initrd.img';

export interface GptDiskOptions {
  sizeMiB: number;
  espMiB: number;
  cmdline: string;
  /** Output file inside ctx.outDir. */
  output: string;
  /** The root partition's filesystem (default ext4). */
  rootFs?: 'ext4' | 'erofs';
  /** The UEFI boot loader (default grub; systemd-boot on arm64 only). */
  bootloader?: 'grub' | 'systemd-boot';
}

/** systemd-boot's EFI binary in the root (Debian package systemd-boot-efi), per arch. */
const SYSTEMD_BOOT_EFI: Readonly<Record<Arch, string>> = {
  amd64: 'usr/lib/systemd/boot/efi/systemd-bootx64.efi',
  arm64: 'usr/lib/systemd/boot/efi/systemd-bootaa64.efi',
};
export const LOADER_ENTRY = '/loader/entries/powernode.conf';

/** loader.conf and the one entry, as written to the ESP. Pure. */
export function systemdBootFiles(cmdline: string): { loaderConf: string; entry: string } {
  return {
    // timeout 0: boot the default at once (a key held at power-on still shows the menu).
    loaderConf: 'default powernode.conf\ntimeout 0\neditor no\n',
    entry: `title Powernode\nlinux ${KERNEL_ON_ESP}\ninitrd ${INITRD_ON_ESP}\noptions ${cmdline}\n`,
  };
}

export const EFI_TARGET: Readonly<Record<Arch, { target: GrubTarget; file: string }>> = {
  amd64: { target: 'x86_64-efi', file: 'BOOTX64.EFI' },
  arm64: { target: 'arm64-efi', file: 'BOOTAA64.EFI' },
};

/** Partitions of the disk for an arch. Pure. */
export function gptSpecs(arch: Arch, espMiB: number): PartSpec[] {
  return [
    ...(arch === 'amd64' ? [{ name: 'bios', type: GPT_TYPE.bios, sizeMiB: 1 }] : []),
    { name: 'esp', type: GPT_TYPE.esp, sizeMiB: espMiB },
    { name: 'root', type: rootType(arch), sizeMiB: 'rest' as const },
  ];
}

/** GRUB modules: the host's for amd64 (grub-*-bin); arm64-efi from the arm64 root (grub-efi-arm64-bin). */
function moduleDir(root: string, target: GrubTarget): string {
  return target === 'arm64-efi' ? join(root, 'usr/lib/grub', target) : join(GRUB_HOST_DIR, target);
}

/** Everything one disk build shares between its partitions. */
interface DiskJob { ctx: StepContext; scope: IdScope; plan: DiskPlan; inputs: DiskInputs; o: GptDiskOptions; espVolumeId: string }

const grubText = (j: DiskJob, serial: boolean): string => grubConfig({
  bootFsUuid: fatUuidString(j.espVolumeId), kernelPath: KERNEL_ON_ESP, initrdPath: INITRD_ON_ESP, cmdline: j.o.cmdline, serial,
});

/** The ESP's boot loader files: GRUB with its memdisk config, or systemd-boot with its entry. */
async function bootLoaderFiles(j: DiskJob): Promise<Result<FatFile[], StepFailure>> {
  const efi = EFI_TARGET[j.ctx.step.arch];
  if ((j.o.bootloader ?? 'grub') === 'grub') {
    const efiImage = join(j.ctx.workDir, efi.file);
    const g = await makeGrubImage(j.ctx, efi.target, moduleDir(j.inputs.root, efi.target), grubText(j, false), efiImage);
    return g.ok ? ok([{ source: efiImage, dest: `/EFI/BOOT/${efi.file}` }]) : g;
  }
  const binary = join(j.inputs.root, SYSTEMD_BOOT_EFI[j.ctx.step.arch]);
  if (!(await stat(binary).then((st) => st.isFile(), () => false))) {
    return err({ code: 'check', message: `${j.ctx.step.id}: bootloader systemd-boot needs /${SYSTEMD_BOOT_EFI[j.ctx.step.arch]} in the root: add systemd-boot-efi to packages.${j.ctx.step.arch} in manifests/pins.yaml` });
  }
  const { loaderConf, entry } = systemdBootFiles(j.o.cmdline);
  const conf = join(j.ctx.workDir, 'loader.conf');
  const entryFile = join(j.ctx.workDir, 'powernode.conf');
  await writeFile(conf, loaderConf);
  await writeFile(entryFile, entry);
  return ok([{ source: binary, dest: `/EFI/BOOT/${efi.file}` }, { source: conf, dest: '/loader/loader.conf' }, { source: entryFile, dest: LOADER_ENTRY }]);
}

async function espPartition(j: DiskJob, image: string): Promise<Result<void, StepFailure>> {
  const loader = await bootLoaderFiles(j);
  if (!loader.ok) return loader;
  const files = [
    ...loader.value,
    { source: j.inputs.kernel, dest: KERNEL_ON_ESP },
    { source: j.inputs.initrd, dest: INITRD_ON_ESP },
  ];
  const sizeMiB = partitionByName(j.plan, 'esp').sizeMiB;
  return makeFat(j.ctx, { label: 'ESP', volumeId: j.espVolumeId, sizeMiB, sourceDateEpoch: j.ctx.config.pins.source_date_epoch }, files, image);
}

/** core.img (patched to find itself at the partition's LBA) padded to the partition size. */
async function biosPartition(j: DiskJob, image: string): Promise<Result<number, StepFailure>> {
  const core = join(j.ctx.workDir, 'core.img');
  const r = await makeGrubImage(j.ctx, 'i386-pc', moduleDir('', 'i386-pc'), grubText(j, true), core);
  if (!r.ok) return r;
  const part = partitionByName(j.plan, 'bios');
  const patched = patchCoreImage(await readFile(core), startLba(part));
  if (patched.length > part.sizeMiB * MIB) return err({ code: 'check', message: `GRUB core.img (${patched.length} bytes) does not fit the BIOS boot partition` });
  const fh = await open(image, 'w');
  try { await fh.write(patched, 0, patched.length, 0); await fh.truncate(part.sizeMiB * MIB); } finally { await fh.close(); }
  return ok(startLba(part));
}

const rootExt4 = (j: DiskJob): Ext4Options => rootExt4Options(j.scope, partitionByName(j.plan, 'root').sizeMiB, j.ctx.config.pins.source_date_epoch);

/** The read-only root: the unpacked tree as EROFS (as the live images are made), UUID as ext4's would be. */
async function makeErofsRoot(j: DiskJob, image: string): Promise<Result<void, StepFailure>> {
  const { argv, env } = liveImageInvocation({ type: 'erofs', root: j.inputs.root, output: image, sourceDateEpoch: j.ctx.config.pins.source_date_epoch, uuid: rootExt4(j).uuid });
  const r = await j.ctx.exec({ argv, env, purpose: 'make the EROFS root filesystem' });
  if (!r.ok) return err({ code: 'exec', failure: r.error });
  const size = (await stat(image)).size;
  const room = partitionByName(j.plan, 'root').sizeMiB * MIB;
  return size <= room ? ok(undefined) : err({ code: 'check', message: `the EROFS root (${size} bytes) does not fit the root partition (${room} bytes): raise size_mib` });
}

export async function buildGptDisk(ctx: StepContext, o: GptDiskOptions): Promise<Result<Record<string, unknown>, StepFailure>> {
  const inputs = await diskInputs(ctx);
  if (!inputs.ok) return inputs;
  const scope: IdScope = { variant: ctx.step.variant ?? '', arch: ctx.step.arch };
  const j: DiskJob = { ctx, scope, plan: planDisk(scope, 'gpt', o.sizeMiB, gptSpecs(ctx.step.arch, o.espMiB)), inputs: inputs.value, o, espVolumeId: shortId(scope, 'fs', 'esp') };
  const images = new Map(j.plan.partitions.map((p) => [p.name, join(ctx.workDir, `${p.name}.img`)] as const));
  const esp = await espPartition(j, images.get('esp') ?? '');
  if (!esp.ok) return esp;
  const bios = images.has('bios') ? await biosPartition(j, images.get('bios') ?? '') : ok(null);
  if (!bios.ok) return bios;
  const rootType = o.rootFs ?? 'ext4';
  const fs = rootType === 'erofs' ? await makeErofsRoot(j, images.get('root') ?? '') : await makeExt4(ctx, rootExt4(j), j.inputs.root, images.get('root') ?? '');
  if (!fs.ok) return fs;
  const disk = join(ctx.outDir, o.output);
  const a = await assembleDisk(ctx, j.plan, images, disk);
  if (!a.ok) return a;
  if (bios.value !== null) await installBootSector(disk, join(GRUB_HOST_DIR, 'i386-pc', 'boot.img'), bios.value);
  const efi = EFI_TARGET[ctx.step.arch];
  return ok({
    kver: j.inputs.kver,
    cmdline: o.cmdline,
    boot: {
      bios: bios.value !== null ? 'grub i386-pc' : null,
      uefi: (o.bootloader ?? 'grub') === 'grub' ? `grub ${efi.target}` : 'systemd-boot',
      efi_path: `/EFI/BOOT/${efi.file}`,
      ...(o.bootloader === 'systemd-boot' ? { loader_entry: LOADER_ENTRY } : {}),
    },
    filesystems: { esp: { type: 'vfat', label: 'ESP', volume_id: fatUuidString(j.espVolumeId) }, root: rootType === 'erofs' ? { type: 'erofs', uuid: rootExt4(j).uuid } : { type: 'ext4', label: 'root', uuid: rootExt4(j).uuid } },
    partition_table: await partitionFacts(j.plan, images, ctx.signal),
  });
}
