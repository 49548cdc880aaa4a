/**
 * kernel: the kernel image from the root filesystem (`vmlinuz`; on arm64 Debian ships an
 * uncompressed Image under that name) and, for arm64, the device trees under `dtbs/`.
 */
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepContext, StepImpl } from './types.js';
import type { StepFailure } from '../run/types.js';
import { TOOLS } from '../exec/tools.js';
import { ROOTFS_TAR } from './rootfs.js';
import { err, ok, type Result } from '../util/result.js';

export const KERNEL_FILE = 'vmlinuz';
export const DTB_DIR = 'dtbs';

/** Kernel release names found in a tar listing (`./boot/vmlinuz-<kver>`), sorted. Pure. */
export function kernelReleases(listing: string): string[] {
  return [...listing.matchAll(/^\.\/boot\/vmlinuz-(.+)$/gm)].map((m) => m[1] ?? '').filter(Boolean).sort();
}

export function rootfsTar(ctx: StepContext): string {
  const rootfs = ctx.deps.get('rootfs');
  if (!rootfs) throw new Error(`invariant: ${ctx.step.id} runs without its rootfs`);
  return join(rootfs.dir, ROOTFS_TAR);
}

/** The kernel release the root holds: the pinned package's, or the only one present. */
export async function findKernelRelease(ctx: StepContext, tar: string): Promise<Result<{ kver: string; listing: string }, StepFailure>> {
  const list = await ctx.exec({ argv: ['tar', '-tf', tar], captureStdout: true, purpose: 'list the root filesystem' });
  if (!list.ok) return err({ code: 'exec', failure: list.error });
  const found = kernelReleases(list.value.stdout);
  const pin = ctx.config.pins.kernel[ctx.step.arch];
  const wanted = ctx.config.pins.rootfs.source === 'mmdebstrap' && pin ? pin.package.replace(/^linux-image-/, '') : found[0];
  if (!wanted || !found.includes(wanted)) {
    return err({ code: 'check', message: `${ctx.step.id}: expected /boot/vmlinuz-${wanted ?? '<kver>'} in the root filesystem, found: ${found.join(', ') || 'none'}` });
  }
  return ok({ kver: wanted, listing: list.value.stdout });
}

export const kernelStep: StepImpl = {
  tools: () => [TOOLS.tar],
  async run(ctx) {
    const tar = rootfsTar(ctx);
    const release = await findKernelRelease(ctx, tar);
    if (!release.ok) return release;
    const { kver, listing } = release.value;
    const dtbPrefix = `./usr/lib/linux-image-${kver}/`;
    const wantDtbs = ctx.step.arch === 'arm64' && listing.includes(`${dtbPrefix}\n`);
    const members = [`./boot/vmlinuz-${kver}`, ...(wantDtbs ? [dtbPrefix] : [])];
    const x = await ctx.exec({ argv: ['tar', '-xf', tar, '-C', ctx.workDir, '--no-same-owner', ...members], purpose: 'extract the kernel' });
    if (!x.ok) return err({ code: 'exec', failure: x.error });
    await rename(join(ctx.workDir, 'boot', `vmlinuz-${kver}`), join(ctx.outDir, KERNEL_FILE));
    if (wantDtbs) {
      await mkdir(ctx.outDir, { recursive: true });
      await rename(join(ctx.workDir, dtbPrefix), join(ctx.outDir, DTB_DIR));
    }
    return ok({ kver, dtbs: wantDtbs });
  },
};
