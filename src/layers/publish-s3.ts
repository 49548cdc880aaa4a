/**
 * A layer published the OpenCHAMI way: the SquashFS root at `<prefix>/<ID><VERSION_ID>-<name>-<tag>`
 * (ID and VERSION_ID from the image's os-release), kernel and initramfs at
 * `efi-images/<prefix>/vmlinuz-<kver>` and `initramfs-<kver>.img`. Uploads reuse the publish
 * code's idempotent putObject (HEAD, multipart, read-back).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { sha256OfFile } from '../publish/hash-file.js';
import type { RetryPolicy } from '../publish/retry.js';
import { putObject, type UploadStatus } from '../publish/s3/upload.js';

/** `/etc/os-release` as key -> value (quotes removed). Pure. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1]) out[m[1]] = (m[2] ?? '').replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

export interface LayerObjects { rootfs: string; kernel: string; initramfs: string }

/** Object keys for one tag. Pure. */
export function layerObjectKeys(o: { prefix: string; osRelease: Record<string, string>; name: string; tag: string; kver: string }): LayerObjects {
  const prefix = o.prefix.replace(/^\/+|\/+$/g, '');
  const join = (...parts: string[]): string => parts.filter((p) => p !== '').join('/');
  const image = `${o.osRelease.ID ?? 'linux'}${o.osRelease.VERSION_ID ?? ''}-${o.name}-${o.tag}`;
  return {
    rootfs: join(prefix, image),
    kernel: join('efi-images', prefix, `vmlinuz-${o.kver}`),
    initramfs: join('efi-images', prefix, `initramfs-${o.kver}.img`),
  };
}

export interface LayerUpload {
  client: S3Client;
  bucket: string;
  keys: LayerObjects;
  files: { rootfs: string; kernel: string; initramfs: string };
  policy: RetryPolicy;
  signal?: AbortSignal;
}

export async function publishLayerToS3(u: LayerUpload): Promise<Record<keyof LayerObjects, UploadStatus>> {
  const result = {} as Record<keyof LayerObjects, UploadStatus>;
  for (const what of ['rootfs', 'kernel', 'initramfs'] as const) {
    const file = u.files[what];
    const { sha256, size } = await sha256OfFile(file, u.signal);
    result[what] = await putObject(u.client, { bucket: u.bucket, key: u.keys[what], file, sha256, size }, { policy: u.policy, signal: u.signal });
  }
  return result;
}
