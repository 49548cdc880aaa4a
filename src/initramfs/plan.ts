/**
 * Turns tree entries into the exact archive records, reproducibly: sorted by name (bytewise,
 * "." first, so every directory precedes its contents), owner 0:0, mtimes clamped to
 * SOURCE_DATE_EPOCH, inodes renumbered in archive order, hard links kept. Pure.
 *
 * Hard links follow GNU cpio's newc convention: every name of the inode shares one inode number
 * and carries nlink = the names in the archive; only the last name carries the data. The kernel
 * creates the file at the first name, links the others to it and writes the data it meets.
 */
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, type NewcHeader } from './newc.js';
import type { TreeEntry } from './types.js';

/** One archive entry: its header, and where its data comes from. */
export interface NewcRecord {
  header: NewcHeader;
  /** Regular files: the file to copy `header.filesize` bytes from. */
  source?: string;
  /** Symlinks: the target bytes. */
  inline?: Buffer;
}

const compareNames = (a: TreeEntry, b: TreeEntry): number => {
  if (a.name === b.name) return 0;
  if (a.name === '.') return -1;
  if (b.name === '.') return 1;
  return Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));
};

const parentOf = (name: string): string => {
  const i = name.lastIndexOf('/');
  return i < 0 ? '.' : name.slice(0, i);
};

/** Directories' link counts as a filesystem would have them: 2 + subdirectories. */
function dirLinks(sorted: readonly TreeEntry[]): Map<string, number> {
  const links = new Map<string, number>();
  for (const e of sorted) if ((e.mode & S_IFMT) === S_IFDIR) links.set(e.name, 2);
  for (const e of sorted) {
    if ((e.mode & S_IFMT) !== S_IFDIR || e.name === '.') continue;
    const p = parentOf(e.name);
    links.set(p, (links.get(p) ?? 2) + 1);
  }
  return links;
}

export function planArchive(entries: readonly TreeEntry[], sourceDateEpoch: number): NewcRecord[] {
  const sorted = [...entries].sort(compareNames);
  const links = dirLinks(sorted);
  const groups = new Map<string, TreeEntry[]>();
  for (const e of sorted) if (e.linkKey) groups.set(e.linkKey, [...(groups.get(e.linkKey) ?? []), e]);
  const inodeOf = new Map<string, number>();
  let nextIno = 1;
  return sorted.map((e) => {
    const type = e.mode & S_IFMT;
    const group = e.linkKey ? groups.get(e.linkKey) ?? [e] : [e];
    const key = e.linkKey ?? `name:${e.name}`;
    let ino = inodeOf.get(key);
    if (ino === undefined) { ino = nextIno++; inodeOf.set(key, ino); }
    const carriesData = group[group.length - 1] === e;
    const inline = type === S_IFLNK ? Buffer.from(e.linkTarget ?? '') : undefined;
    const filesize = type === S_IFREG ? (carriesData ? e.size : 0) : inline?.length ?? 0;
    const header: NewcHeader = {
      name: e.name, ino, mode: e.mode & (S_IFMT | 0o7777),
      nlink: type === S_IFDIR ? links.get(e.name) ?? 2 : group.length,
      mtime: Math.max(0, Math.min(e.mtime, sourceDateEpoch)),
      filesize, rdevmajor: e.rdevmajor, rdevminor: e.rdevminor,
    };
    return { header, ...(type === S_IFREG && carriesData && e.source ? { source: e.source } : {}), ...(inline ? { inline } : {}) };
  });
}
