/**
 * The newc ("SVR4 with no CRC", magic 070701) cpio format the kernel unpacks as an initramfs.
 * Pure: a header is 110 ASCII bytes of fixed-width hex fields, then the NUL-terminated name,
 * padded to 4 bytes; the data follows, padded to 4 bytes. The archive ends with TRAILER!!!.
 */

export const NEWC_MAGIC = '070701';
export const TRAILER = 'TRAILER!!!';
/** The size field is 32 bits: larger files cannot be stored in newc. */
export const NEWC_MAX_FILE = 0xffffffff;

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

/** The header fields we write; everything else (uid, gid, dev, check) is zero. */
export interface NewcHeader {
  /** Archive path without a leading slash ("." for the root, "bin/sh"). */
  name: string;
  ino: number;
  /** Type and permission bits (S_IF* | 0o7777). */
  mode: number;
  nlink: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Bytes of data that follow the header (a symlink's target, a file's contents). */
  filesize: number;
  rdevmajor: number;
  rdevminor: number;
}

export const pad4 = (n: number): number => (4 - (n % 4)) % 4;

const hex8 = (n: number): string => {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`invariant: newc field out of range: ${n}`);
  return n.toString(16).padStart(8, '0');
};

/** Header + name + padding, so that the data that follows starts on a 4-byte boundary. */
export function encodeHeader(h: NewcHeader): Buffer {
  const name = Buffer.from(`${h.name}\0`, 'utf8');
  const fields = [h.ino, h.mode, 0, 0, h.nlink, h.mtime, h.filesize, 0, 0, h.rdevmajor, h.rdevminor, name.length, 0];
  const head = Buffer.from(NEWC_MAGIC + fields.map(hex8).join(''), 'ascii');
  return Buffer.concat([head, name, Buffer.alloc(pad4(head.length + name.length))]);
}

/** The closing entry. */
export const trailer = (): Buffer => encodeHeader({ name: TRAILER, ino: 0, mode: 0, nlink: 1, mtime: 0, filesize: 0, rdevmajor: 0, rdevminor: 0 });

/** Linux's dev_t split (glibc's gnu_dev_major/minor): 12-bit major and 20-bit minor, packed. */
export function splitDev(rdev: number | bigint): { major: number; minor: number } {
  const d = BigInt(rdev);
  const major = Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
  const minor = Number((d & 0xffn) | ((d >> 12n) & ~0xffn));
  return { major, minor };
}
