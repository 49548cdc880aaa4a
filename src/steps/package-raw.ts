/** raw: a GPT disk image, bootable under BIOS and UEFI (amd64) or UEFI (arm64). See disk/gpt-disk.ts. */
import type { StepImpl } from './types.js';
import type { Arch } from '../config/types.js';
import type { ToolSpec } from '../exec/tools.js';
import { TOOLS } from '../exec/tools.js';
import { buildGptDisk } from './disk/gpt-disk.js';
import { err } from '../util/result.js';

export const RAW_FILE = 'disk.raw';

/** Tools every GPT/ext4/FAT disk needs, plus the host's GRUB modules on amd64. */
export function gptDiskTools(arch: Arch): ToolSpec[] {
  return [
    TOOLS.tar, TOOLS.mkfsExt4, TOOLS.debugfs, TOOLS.e2fsck, TOOLS.mkfsVfat, TOOLS.mcopy, TOOLS.mmd,
    TOOLS.sfdisk, TOOLS.dd, TOOLS.grubMkimage,
    ...(arch === 'amd64' ? [TOOLS.grubPcModules, TOOLS.grubEfiAmd64Modules] : []),
  ];
}

export const rawPackager: StepImpl = {
  tools: (step, config) => {
    const v = config.variants.get(step.variant ?? '');
    return [...gptDiskTools(step.arch), ...(v?.packager.type === 'raw' && v.packager.root_fs === 'erofs' ? [TOOLS.mkfsErofs] : [])];
  },
  async run(ctx) {
    const variant = ctx.config.variants.get(ctx.step.variant ?? '');
    if (variant?.packager.type !== 'raw') throw new Error(`invariant: ${ctx.step.id} misplanned`);
    const p = variant.packager;
    const cmdline = p.cmdline[ctx.step.arch];
    if (!cmdline) return err({ code: 'check', message: `${ctx.step.id}: no cmdline for ${ctx.step.arch} in variants/${variant.name}.yaml` });
    return buildGptDisk(ctx, { sizeMiB: p.size_mib, espMiB: p.esp_mib, cmdline: cmdline.trim(), output: RAW_FILE, rootFs: p.root_fs });
  },
};
