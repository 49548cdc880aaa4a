/**
 * arm64-uefi: the generic UEFI arm64 image (Pi 5 with UEFI firmware, Ampere, SBCs, ARM clouds):
 * the same GPT layout as raw/arm64 (ESP with GRUB arm64-efi, or systemd-boot, as BOOTAA64.EFI,
 * kernel and initrd; ext4 root). See disk/gpt-disk.ts.
 */
import type { StepImpl } from './types.js';
import { buildGptDisk } from './disk/gpt-disk.js';
import { gptDiskTools, RAW_FILE } from './package-raw.js';
import { err } from '../util/result.js';

export const arm64UefiPackager: StepImpl = {
  tools: () => gptDiskTools('arm64'),
  async run(ctx) {
    const variant = ctx.config.variants.get(ctx.step.variant ?? '');
    if (variant?.packager.type !== 'arm64-uefi') throw new Error(`invariant: ${ctx.step.id} misplanned`);
    const p = variant.packager;
    if (ctx.step.arch !== 'arm64') return err({ code: 'check', message: `${ctx.step.id}: arm64-uefi images are arm64 only` });
    return buildGptDisk(ctx, { sizeMiB: p.size_mib, espMiB: p.esp_mib, cmdline: p.cmdline.trim(), output: RAW_FILE, bootloader: p.bootloader });
  },
};
