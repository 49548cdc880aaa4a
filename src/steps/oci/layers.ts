/**
 * Deterministic layer tars for the bootc image: the rootfs step's tar as it is (mmdebstrap's
 * output is already sorted, clamped to SOURCE_DATE_EPOCH and free of atime/ctime headers; its
 * owners are the root's own), and a boot layer with the kernel and initramfs under
 * /usr/lib/modules/<kver>/ made with the FACTS recipe (sorted, clamped mtimes, 0:0, no
 * atime/ctime PAX headers). Compressed with `gzip -n` (no name, no time).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, link, mkdir, rename, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepContext } from '../types.js';
import type { StepFailure } from '../../run/types.js';
import { LAYER_MEDIA, type LayerInfo } from './image.js';
import { err, ok, type Result } from '../../util/result.js';

/** The FACTS recipe: a tar independent of owners, umask, atime/ctime and build time. Pure. */
export function layerTarArgv(dir: string, members: readonly string[], tarFile: string, sourceDateEpoch: number): string[] {
  return [
    'tar', '--sort=name', `--mtime=@${sourceDateEpoch}`, '--clamp-mtime', '--owner=0', '--group=0', '--numeric-owner',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime', '--format=posix',
    '-cf', tarFile, '-C', dir, ...members,
  ];
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}

/** Compresses `tar` (consumed) into `blobsDir/<digest>`; returns the layer's descriptor. */
async function addLayer(ctx: StepContext, tar: string, blobsDir: string, createdBy: string): Promise<Result<LayerInfo, StepFailure>> {
  const diffId = await sha256File(tar);
  const z = await ctx.exec({ argv: ['gzip', '-n', '-6', '-f', tar], purpose: 'compress a layer' });
  if (!z.ok) return err({ code: 'exec', failure: z.error });
  const gz = `${tar}.gz`;
  const digest = await sha256File(gz);
  const size = (await stat(gz)).size;
  await rename(gz, join(blobsDir, digest.slice('sha256:'.length)));
  return ok({ descriptor: { mediaType: LAYER_MEDIA, digest, size }, diffId, createdBy });
}

/** Layer 1: the root filesystem tar (linked or copied into the work dir, which gzip consumes). */
export async function rootfsLayer(ctx: StepContext, rootfsTar: string, blobsDir: string): Promise<Result<LayerInfo, StepFailure>> {
  const tar = join(ctx.workDir, 'rootfs-layer.tar');
  await link(rootfsTar, tar).catch(() => copyFile(rootfsTar, tar));
  return addLayer(ctx, tar, blobsDir, 'powernode-image-builder: rootfs (mmdebstrap)');
}

/** Layer 2: /usr/lib/modules/<kver>/{vmlinuz,initramfs.img} (bootc's kernel location). */
export async function bootLayer(ctx: StepContext, o: { kernel: string; initrd: string; kver: string }, blobsDir: string): Promise<Result<LayerInfo, StepFailure>> {
  const dir = join(ctx.workDir, 'boot-layer');
  const modDir = join(dir, 'usr/lib/modules', o.kver);
  await mkdir(modDir, { recursive: true });
  await copyFile(o.kernel, join(modDir, 'vmlinuz'));
  await copyFile(o.initrd, join(modDir, 'initramfs.img'));
  const sde = ctx.config.pins.source_date_epoch;
  for (const f of ['vmlinuz', 'initramfs.img']) await chmod(join(modDir, f), 0o644);
  for (const d of ['usr', 'usr/lib', 'usr/lib/modules', `usr/lib/modules/${o.kver}`]) {
    await chmod(join(dir, d), 0o755);
    await utimes(join(dir, d), sde, sde);
  }
  const tar = join(ctx.workDir, 'boot-layer.tar');
  const t = await ctx.exec({ argv: layerTarArgv(dir, ['usr'], tar, sde), purpose: 'pack the boot layer' });
  if (!t.ok) return err({ code: 'exec', failure: t.error });
  return addLayer(ctx, tar, blobsDir, `powernode-image-builder: kernel and initramfs in /usr/lib/modules/${o.kver}`);
}
