/**
 * Stable identifiers for disks, partitions and filesystems, derived from the configuration so two
 * builds of the same cell carry the same GUIDs (and so byte-identical images) while different
 * cells never collide. Pure.
 *
 * Scheme (RFC 9562 name-based UUID, version 5, SHA-1):
 *   uuid5(POWERNODE_DISK_NAMESPACE, "<variant>/<arch>/<role>/<name>")
 * where <role> is `disk` (GPT label-id), `part` (GPT partition uuid), `fs` (filesystem UUID) or
 * `hash-seed` (ext4 htree hash seed), and <name> the partition name (`esp`, `root`, ...; empty for
 * `disk`). FAT volume ids and MBR disk ids are the first 32 bits of the matching uuid5.
 * The namespace is itself uuid5(DNS namespace, "disk.powernode-image-builder"), written out so it
 * can never drift. Changing this scheme changes every image: bump the package recipe version.
 */
import { createHash } from 'node:crypto';

/** A lower-case RFC 9562 UUID string. */
export type Uuid = string & { readonly __brand: 'Uuid' };

export const POWERNODE_DISK_NAMESPACE = '30bc66a6-a93e-5b2d-9475-2e9476c06e42' as Uuid;

export type IdRole = 'disk' | 'part' | 'fs' | 'hash-seed';

export function uuidToBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`not a UUID: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

function formatUuid(bytes: Buffer): Uuid {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}` as Uuid;
}

/** RFC 9562 version-5 UUID of `name` in `namespace`. */
export function uuid5(namespace: string, name: string): Uuid {
  const digest = createHash('sha1').update(uuidToBytes(namespace)).update(name, 'utf8').digest();
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return formatUuid(bytes);
}

/** What an identifier is derived from. */
export interface IdScope {
  variant: string;
  arch: string;
}

export function cellUuid(scope: IdScope, role: IdRole, name = ''): Uuid {
  return uuid5(POWERNODE_DISK_NAMESPACE, `${scope.variant}/${scope.arch}/${role}/${name}`);
}

/** A 32-bit id (FAT volume id, MBR disk signature) as 8 upper-case hex digits. */
export function shortId(scope: IdScope, role: IdRole, name = ''): string {
  return cellUuid(scope, role, name).slice(0, 8).toUpperCase();
}

/** `1A2B3C4D` -> `1A2B-3C4D`, how GRUB and blkid print a FAT volume id. */
export function fatUuidString(volumeId: string): string {
  return `${volumeId.slice(0, 4)}-${volumeId.slice(4, 8)}`;
}
