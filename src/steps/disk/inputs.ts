/** The shared-stage outputs a disk packager reads, and the unpacked root filesystem. */
import { join } from 'node:path';
import type { StepContext } from '../types.js';
import type { StepFailure } from '../../run/types.js';
import { DTB_DIR, KERNEL_FILE, rootfsTar } from '../kernel.js';
import { INITRD_FILE, extractRoot } from '../initramfs.js';
import { ok, type Result } from '../../util/result.js';

export interface DiskInputs {
  kernel: string;
  initrd: string;
  /** The kernel step's device trees (arm64), or null. */
  dtbDir: string | null;
  kver: string;
  /** The root filesystem unpacked as root (owners, modes, xattrs kept). */
  root: string;
}

export async function diskInputs(ctx: StepContext): Promise<Result<DiskInputs, StepFailure>> {
  const kernel = ctx.deps.get('kernel');
  const initramfs = ctx.deps.get('initramfs');
  if (!kernel || !initramfs) throw new Error(`invariant: ${ctx.step.id} runs without kernel and initramfs`);
  const root = join(ctx.workDir, 'root');
  const x = await extractRoot(ctx, rootfsTar(ctx), root);
  if (!x.ok) return x;
  const hasDtbs = kernel.record.files.some((f) => f.path.startsWith(`${DTB_DIR}/`));
  return ok({
    kernel: join(kernel.dir, KERNEL_FILE),
    initrd: join(initramfs.dir, INITRD_FILE),
    dtbDir: hasDtbs ? join(kernel.dir, DTB_DIR) : null,
    kver: String(kernel.record.facts.kver),
    root,
  });
}
