/** kernel-initrd: the kernel, the initramfs, the DTBs (arm64) and the kernel command line. */
import { cp, copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepImpl } from './types.js';
import { DTB_DIR, KERNEL_FILE } from './kernel.js';
import { INITRD_FILE } from './initramfs.js';
import { ok } from '../util/result.js';

export const CMDLINE_FILE = 'cmdline';

export const kernelInitrdPackager: StepImpl = {
  tools: () => [],
  async run(ctx) {
    const variant = ctx.config.variants.get(ctx.step.variant ?? '');
    const kernel = ctx.deps.get('kernel');
    const initramfs = ctx.deps.get('initramfs');
    if (variant?.packager.type !== 'kernel-initrd' || !kernel || !initramfs) throw new Error(`invariant: ${ctx.step.id} misplanned`);
    await copyFile(join(kernel.dir, KERNEL_FILE), join(ctx.outDir, KERNEL_FILE));
    await copyFile(join(initramfs.dir, INITRD_FILE), join(ctx.outDir, INITRD_FILE));
    if (kernel.record.files.some((f) => f.path.startsWith(`${DTB_DIR}/`))) {
      await cp(join(kernel.dir, DTB_DIR), join(ctx.outDir, DTB_DIR), { recursive: true });
    }
    const cmdline = variant.packager.cmdline[ctx.step.arch] ?? '';
    await writeFile(join(ctx.outDir, CMDLINE_FILE), cmdline.trim() + '\n');
    return ok({ kver: kernel.record.facts.kver, cmdline: cmdline.trim() });
  },
};
