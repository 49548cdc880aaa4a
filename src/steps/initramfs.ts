/**
 * initramfs: `dracut --reproducible` inside the root filesystem (bubblewrap, no host mounts) with
 * our config from dracut/ and our module from modules.d/; or the root packed by our own
 * reproducible newc writer (`initramfs.builder: cpio`, src/initramfs) for roots that are
 * themselves an initramfs.
 */
import { chmod, copyFile, mkdir, rename, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepContext, StepImpl } from './types.js';
import type { StepFailure } from '../run/types.js';
import { TOOLS } from '../exec/tools.js';
import { initramfsInputs } from '../plan/graph.js';
import { inRoot, rootEnv } from './sandbox.js';
import { ensureBinfmt } from './binfmt.js';
import { findKernelRelease, rootfsTar } from './kernel.js';
import { writeInitramfs } from '../initramfs/write.js';
import { err, ok, type Result } from '../util/result.js';

export const INITRD_FILE = 'initrd.img';

export async function extractRoot(ctx: StepContext, tar: string, root: string): Promise<Result<void, StepFailure>> {
  await mkdir(root, { recursive: true });
  const r = await ctx.exec({ argv: ['tar', '-xf', tar, '-C', root, '--numeric-owner', '--same-owner', '--same-permissions', '--xattrs', '--xattrs-include=*'], purpose: 'extract the root filesystem' });
  return r.ok ? ok(undefined) : err({ code: 'exec', failure: r.error });
}

/** Installs dracut/*.conf (common, then per-arch) and modules.d/* into the root. */
async function installDracutInputs(ctx: StepContext, root: string): Promise<void> {
  const files = initramfsInputs(ctx.config.inputs, ctx.step.arch);
  await mkdir(join(root, 'etc/dracut.conf.d'), { recursive: true });
  for (const f of files) {
    const src = join(ctx.config.root, f.path);
    const dest = f.path.startsWith('modules.d/')
      ? join(root, 'usr/lib/dracut', f.path)
      : join(root, 'etc/dracut.conf.d', f.path.endsWith('powernode.conf') ? '10-powernode.conf' : '20-powernode-arch.conf');
    await mkdir(join(dest, '..'), { recursive: true });
    await chmod(join(dest, '..'), 0o755); // created under the caller's umask
    await copyFile(src, dest);
    // Modes land in the initrd; times are clamped by dracut, but pin them anyway.
    await chmod(dest, f.executable ? 0o755 : 0o644);
    await utimes(dest, ctx.config.pins.source_date_epoch, ctx.config.pins.source_date_epoch);
  }
}

async function runDracut(ctx: StepContext, root: string, kver: string): Promise<Result<Record<string, unknown>, StepFailure>> {
  const binfmt = await ensureBinfmt(ctx, ctx.step.arch);
  if (!binfmt.ok) return binfmt;
  await installDracutInputs(ctx, root);
  const env = rootEnv(ctx.config.pins.source_date_epoch);
  // dracut writes an uncompressed cpio and the host compresses it: under qemu-user (arm64 on
  // x86) the root's compressor is several times slower, and the root may not even have zstd.
  // (With microcode packages in the root, the early cpio would need to stay uncompressed.)
  const cpioDir = join(ctx.workDir, 'cpio');
  await mkdir(cpioDir, { recursive: true });
  const argv = inRoot({ root, env, binds: [[cpioDir, '/out']] }, [
    'dracut', '--reproducible', '--no-hostonly', '--no-hostonly-cmdline', '--force', '--quiet',
    '--no-compress', '--kver', kver, '/out/initrd.cpio',
  ]);
  const r = await ctx.exec({ argv, purpose: `dracut for ${kver}`, hint: 'run with -v to see dracut\'s output; check dracut/ and modules.d/' });
  if (!r.ok) return err({ code: 'exec', failure: r.error });
  const c = await compressInitrd(ctx, join(cpioDir, 'initrd.cpio'));
  return c.ok ? ok({ kver, builder: 'dracut', compress: ctx.config.pins.initramfs.compress }) : c;
}

/** Compresses an initramfs cpio into the step's initrd.img with the pinned compressor. */
async function compressInitrd(ctx: StepContext, cpio: string): Promise<Result<void, StepFailure>> {
  const { compress } = ctx.config.pins.initramfs;
  const out = join(ctx.outDir, INITRD_FILE);
  // gzip writes FILE.gz beside its input; zstd and a plain copy write `out` directly.
  // zstd's output does not depend on the thread count.
  const argv = compress === 'zstd' ? ['zstd', '-q', '-15', '-T0', '-o', out, cpio]
    : compress === 'gzip' ? ['gzip', '-n', '-9', '-f', cpio] : ['cp', cpio, out];
  const c = await ctx.exec({ argv, purpose: 'compress the initramfs' });
  if (!c.ok) return err({ code: 'exec', failure: c.error });
  if (compress === 'gzip') await rename(`${cpio}.gz`, out);
  return ok(undefined);
}

/** Our own reproducible newc writer (src/initramfs), uncompressed; then the pinned compressor. */
async function runCpio(ctx: StepContext, root: string, kver: string): Promise<Result<Record<string, unknown>, StepFailure>> {
  const cpio = join(ctx.workDir, 'initrd.cpio');
  const packed = await writeInitramfs({ root, inject: [], compress: 'none', sourceDateEpoch: ctx.config.pins.source_date_epoch, output: cpio }, { executor: ctx.executor, signal: ctx.signal });
  if (!packed.ok) return err({ code: 'check', message: `${ctx.step.id}: pack the initramfs: ${packed.error.message}` });
  const c = await compressInitrd(ctx, cpio);
  if (!c.ok) return c;
  return ok({ kver, builder: 'cpio', compress: ctx.config.pins.initramfs.compress, entries: packed.value.entries, cpio_sha256: packed.value.sha256 });
}

export const initramfsStep: StepImpl = {
  tools: (_step, config) => [
    TOOLS.tar, ...(config.pins.initramfs.builder === 'dracut' ? [TOOLS.bwrap] : []),
    ...(config.pins.initramfs.compress === 'zstd' ? [TOOLS.zstd] : []),
  ],
  async run(ctx) {
    const tar = rootfsTar(ctx);
    const release = await findKernelRelease(ctx, tar);
    if (!release.ok) return release;
    const root = join(ctx.workDir, 'root');
    const x = await extractRoot(ctx, tar, root);
    if (!x.ok) return x;
    return ctx.config.pins.initramfs.builder === 'dracut' ? runDracut(ctx, root, release.value.kver) : runCpio(ctx, root, release.value.kver);
  },
};
