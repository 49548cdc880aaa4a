/**
 * S3 destination: `s3://bucket/prefix` -> each cell's files at `<prefix>/<variant>/<arch>/<file>`,
 * plus the OpenCHAMI layout for kernel, initramfs and rootfs squashfs. Pure: no SDK here.
 */
import { PublishError } from '../errors.js';
import type { Cell } from '../cells.js';

export interface S3Location { bucket: string; prefix: string }

export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m?.[1]) throw new PublishError('config', `--s3: expected s3://bucket[/prefix], got "${url}"`);
  return { bucket: m[1], prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

export function objectKey(loc: S3Location, ...parts: string[]): string {
  return [loc.prefix, ...parts].filter((p) => p !== '').join('/');
}

/** Where a cell file also goes in the OpenCHAMI boot-image layout, if it is a boot file. */
export function openchamiKey(loc: S3Location, cell: Cell, rel: string): string | undefined {
  const kver = (cell.manifest.facts[`kernel@${cell.arch}`] as { kver?: unknown } | undefined)?.kver;
  const name = `${cell.variant}-${cell.arch}`;
  const version = typeof kver === 'string' ? kver : 'unknown';
  if (rel === 'vmlinuz') return objectKey(loc, 'openchami', 'efi-images', name, `vmlinuz-${version}`);
  if (rel === 'initrd.img') return objectKey(loc, 'openchami', 'efi-images', name, `initramfs-${version}.img`);
  if (rel.endsWith('.squashfs')) return objectKey(loc, 'openchami', 'compute', name, `rootfs-${version}.squashfs`);
  return undefined;
}

export function s3Url(loc: S3Location, key: string): string {
  return `s3://${loc.bucket}/${key}`;
}
