/**
 * iso: a hybrid live ISO (see iso/xorriso.ts): GRUB for BIOS (amd64) and UEFI, the kernel, the
 * initrd and the root filesystem as a squashfs or EROFS image under live/, which 90powernode
 * finds by the volume label and mounts (`root=powernode powernode.live=LABEL=<label>`).
 */
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepContext, StepImpl } from './types.js';
import type { StepFailure } from '../run/types.js';
import { TOOLS } from '../exec/tools.js';
import { diskInputs } from './disk/inputs.js';
import { makeGrubImage } from './disk/grub.js';
import { makeFat } from './disk/fat.js';
import { shortId } from './disk/guid.js';
import { MIB } from './disk/layout.js';
import { EFI_TARGET, GRUB_HOST_DIR } from './disk/gpt-disk.js';
import { ISO_GRUB_MODULES, ISO_PATHS, isoGrubConfig, liveLabel, xorrisoArgv } from './iso/xorriso.js';
import { liveImageTools, makeLiveImage, type LiveImageType } from './live/rootfs-image.js';
import { err, ok, type Result } from '../util/result.js';

export const ISO_FILE = 'live.iso';

interface IsoJob { ctx: StepContext; label: string; cmdline: string; root: string; tree: string }

/** The UEFI GRUB image in a small FAT12 efi.img (the appended ESP). */
async function efiImage(j: IsoJob): Promise<Result<string, StepFailure>> {
  const { arch } = j.ctx.step;
  const { target, file } = EFI_TARGET[arch];
  // amd64: the host's grub-efi-amd64-bin; arm64: grub-efi-arm64-bin from the arm64 root.
  const moduleDir = arch === 'arm64' ? join(j.root, 'usr/lib/grub', target) : join(GRUB_HOST_DIR, target);
  const grubEfi = join(j.ctx.workDir, file);
  const g = await makeGrubImage(j.ctx, target, moduleDir, isoGrubConfig({ label: j.label, cmdline: j.cmdline, serial: false }), grubEfi, ISO_GRUB_MODULES);
  if (!g.ok) return g;
  const image = join(j.ctx.workDir, 'efi.img');
  const sizeMiB = Math.ceil((await stat(grubEfi)).size / MIB) + 2;
  const scope = { variant: j.ctx.step.variant ?? '', arch };
  const fat = await makeFat(j.ctx, { label: 'EFIBOOT', volumeId: shortId(scope, 'fs', 'esp'), sizeMiB, sourceDateEpoch: j.ctx.config.pins.source_date_epoch, fatBits: 12 },
    [{ source: grubEfi, dest: `/EFI/BOOT/${file}` }], image);
  return fat.ok ? ok(image) : fat;
}

async function biosEltorito(j: IsoJob): Promise<Result<void, StepFailure>> {
  const out = join(j.tree, ISO_PATHS.eltorito);
  await mkdir(join(out, '..'), { recursive: true });
  return makeGrubImage(j.ctx, 'i386-pc-eltorito', join(GRUB_HOST_DIR, 'i386-pc'), isoGrubConfig({ label: j.label, cmdline: j.cmdline, serial: true }), out, ISO_GRUB_MODULES);
}

async function buildIso(ctx: StepContext, label: string, cmdline: string, imageType: LiveImageType): Promise<Result<Record<string, unknown>, StepFailure>> {
  const inputs = await diskInputs(ctx);
  if (!inputs.ok) return inputs;
  const tree = join(ctx.workDir, 'iso');
  await mkdir(join(tree, 'boot'), { recursive: true });
  await mkdir(join(tree, ISO_PATHS.live), { recursive: true });
  await copyFile(inputs.value.kernel, join(tree, ISO_PATHS.kernel));
  await copyFile(inputs.value.initrd, join(tree, ISO_PATHS.initrd));
  const j: IsoJob = { ctx, label, cmdline, root: inputs.value.root, tree };
  const efi = await efiImage(j);
  if (!efi.ok) return efi;
  if (ctx.step.arch === 'amd64') {
    const b = await biosEltorito(j);
    if (!b.ok) return b;
  }
  const live = await makeLiveImage(ctx, imageType, inputs.value.root, join(tree, ISO_PATHS.live));
  if (!live.ok) return live;
  await rm(inputs.value.root, { recursive: true, force: true });
  const epoch = ctx.config.pins.source_date_epoch;
  const argv = xorrisoArgv({ arch: ctx.step.arch, label, tree, efiImage: efi.value, output: join(ctx.outDir, ISO_FILE), sourceDateEpoch: epoch });
  const x = await ctx.exec({ argv, env: { SOURCE_DATE_EPOCH: String(epoch) }, purpose: 'make the hybrid ISO' });
  if (!x.ok) return err({ code: 'exec', failure: x.error });
  return ok({
    kver: inputs.value.kver, cmdline, volume_label: label, live_image: imageType, live_image_bytes: (await stat(live.value)).size,
    boot: { bios: ctx.step.arch === 'amd64' ? 'grub i386-pc-eltorito' : null, uefi: `grub ${EFI_TARGET[ctx.step.arch].target}`, hybrid: true },
  });
}

export const isoPackager: StepImpl = {
  tools: (step, config) => {
    const p = config.variants.get(step.variant ?? '')?.packager;
    return [
      TOOLS.tar, TOOLS.xorriso, TOOLS.grubMkimage, TOOLS.mkfsVfat, TOOLS.mcopy, TOOLS.mmd,
      ...liveImageTools(p?.type === 'iso' ? p.rootfs_image : 'squashfs'),
      ...(step.arch === 'amd64' ? [TOOLS.grubPcModules, TOOLS.grubEfiAmd64Modules] : []),
    ];
  },
  async run(ctx) {
    const variant = ctx.config.variants.get(ctx.step.variant ?? '');
    if (variant?.packager.type !== 'iso') throw new Error(`invariant: ${ctx.step.id} misplanned`);
    const p = variant.packager;
    const cmdline = p.cmdline[ctx.step.arch]?.trim();
    if (!cmdline) return err({ code: 'check', message: `${ctx.step.id}: no cmdline for ${ctx.step.arch} in variants/${variant.name}.yaml` });
    const label = liveLabel(cmdline);
    if (label !== null && label !== p.volume_label) {
      return err({ code: 'check', message: `${ctx.step.id}: the cmdline's powernode.live=LABEL=${label} is not the ISO's volume_label ${p.volume_label} (variants/${variant.name}.yaml)` });
    }
    return buildIso(ctx, p.volume_label, cmdline, p.rootfs_image);
  },
};
