/**
 * ipxe: a netboot bundle directory: the kernel, the initrd, the live root image, `boot.ipxe`
 * (ipxe/boot-script.ts) and, on amd64, Debian's iPXE binaries (ipxe.efi, snponly.efi for UEFI,
 * undionly.kpxe for BIOS PXE). Debian builds iPXE for x86 only: the arm64 bundle carries no iPXE
 * binary; its boot.ipxe serves an iPXE the operator builds for arm64 EFI. No UEFI HTTP boot
 * loader is built (see ARM64_NOTE), and the arm64 bundle is not netbooted by `build smoke`.
 */
import { copyFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepImpl } from './types.js';
import { TOOLS } from '../exec/tools.js';
import { KERNEL_FILE } from './kernel.js';
import { INITRD_FILE } from './initramfs.js';
import { diskInputs } from './disk/inputs.js';
import { bootIpxe, IPXE_BINARIES, IPXE_DIR, templateBaseUrl } from './ipxe/boot-script.js';
import { liveImageFile, liveImageTools, makeLiveImage } from './live/rootfs-image.js';
import { err, ok } from '../util/result.js';

export const BOOT_SCRIPT = 'boot.ipxe';

/** Recorded in the arm64 cell's facts: what the bundle is for without an iPXE binary. */
const ARM64_NOTE = 'Debian ships no arm64 iPXE: chain boot.ipxe from an iPXE built for arm64 EFI (bin-arm64-efi/snp.efi). '
  + 'UEFI HTTP boot of vmlinuz alone is not offered: the EFI stub cannot fetch the initrd over HTTP. Booted arm64 paths: iso, arm64-uefi.';

export const ipxePackager: StepImpl = {
  tools: (step, config) => {
    const p = config.variants.get(step.variant ?? '')?.packager;
    return [TOOLS.tar, ...liveImageTools(p?.type === 'ipxe' ? p.rootfs_image : 'squashfs'), ...(step.arch === 'amd64' ? [TOOLS.ipxeBinaries] : [])];
  },
  async run(ctx) {
    const variant = ctx.config.variants.get(ctx.step.variant ?? '');
    if (variant?.packager.type !== 'ipxe') throw new Error(`invariant: ${ctx.step.id} misplanned`);
    const p = variant.packager;
    const { arch } = ctx.step;
    const cmdline = p.cmdline[arch]?.trim();
    if (!cmdline) return err({ code: 'check', message: `${ctx.step.id}: no cmdline for ${arch} in variants/${variant.name}.yaml` });
    const baseUrl = templateBaseUrl(p.base_url, { arch, variant: variant.name });
    if (!baseUrl.ok) return err({ code: 'check', message: `${ctx.step.id}: variants/${variant.name}.yaml: ${baseUrl.error}` });
    const inputs = await diskInputs(ctx);
    if (!inputs.ok) return inputs;
    await copyFile(inputs.value.kernel, join(ctx.outDir, KERNEL_FILE));
    await copyFile(inputs.value.initrd, join(ctx.outDir, INITRD_FILE));
    const live = await makeLiveImage(ctx, p.rootfs_image, inputs.value.root, ctx.outDir);
    if (!live.ok) return live;
    const script = bootIpxe({ variant: variant.name, arch, baseUrl: baseUrl.value, cmdline, kernel: KERNEL_FILE, initrd: INITRD_FILE, liveImage: liveImageFile(p.rootfs_image) });
    await writeFile(join(ctx.outDir, BOOT_SCRIPT), script);
    for (const bin of IPXE_BINARIES[arch]) await copyFile(join(IPXE_DIR, bin), join(ctx.outDir, bin));
    return ok({
      kver: inputs.value.kver, cmdline, base_url: baseUrl.value, live_image: p.rootfs_image, live_image_bytes: (await stat(live.value)).size,
      ipxe_binaries: [...IPXE_BINARIES[arch]],
      ...(arch === 'arm64' ? { note: ARM64_NOTE } : {}),
    });
  },
};
