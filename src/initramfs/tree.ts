/**
 * Reads a directory tree into archive entries (lstat only: symlinks are stored, not followed),
 * then lays injected files over it. Hard links are recognised by the source inode.
 */
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, splitDev } from './newc.js';
import type { InitramfsFailure, Injection, TreeEntry } from './types.js';
import { err, ok, type Result } from '../util/result.js';

/** lstat calls in flight: enough to hide latency, few enough for a loaded 2-core machine. */
const STAT_BATCH = 64;

async function toEntry(name: string, abs: string, st: BigIntStats): Promise<TreeEntry> {
  const mode = Number(st.mode);
  const type = mode & S_IFMT;
  const { major, minor } = splitDev(st.rdev);
  const base = { name, mode, mtime: Number(st.mtimeMs / 1000n), size: 0, rdevmajor: major, rdevminor: minor };
  if (type === S_IFREG) {
    return { ...base, size: Number(st.size), source: abs, ...(st.nlink > 1n ? { linkKey: `${st.dev}:${st.ino}` } : {}) };
  }
  if (type === S_IFLNK) return { ...base, linkTarget: await readlink(abs) };
  return base;
}

/** Every object under `root` (and root itself as "."), unsorted. */
export async function scanTree(root: string): Promise<Result<TreeEntry[], InitramfsFailure>> {
  let names: string[];
  try {
    const rootStat = await stat(root);
    if (!rootStat.isDirectory()) return err({ code: 'input', message: `${root}: not a directory` });
    const dirents = await readdir(root, { recursive: true, withFileTypes: true });
    names = dirents.map((d) => relative(root, join(d.parentPath, d.name)));
  } catch (cause) {
    return err({ code: 'input', message: `${root}: cannot read the tree`, cause });
  }
  const out: TreeEntry[] = [];
  const all = ['.', ...names];
  try {
    for (let i = 0; i < all.length; i += STAT_BATCH) {
      const batch = all.slice(i, i + STAT_BATCH);
      out.push(...await Promise.all(batch.map(async (name) => {
        const abs = join(root, name);
        return toEntry(name, abs, await lstat(abs, { bigint: true }));
      })));
    }
  } catch (cause) {
    return err({ code: 'io', message: `${root}: a file changed or vanished while reading the tree`, cause });
  }
  return ok(out);
}

/** "/usr/bin/x" -> "usr/bin/x"; undefined for paths that leave the root or name it. */
export function archiveName(dst: string): string | undefined {
  const n = posix.normalize(`/${dst}`).replace(/^\/+/, '').replace(/\/+$/, '');
  return n === '' || n.split('/').includes('..') ? undefined : n;
}

/**
 * `entries` with each injection laid over it: a regular file of mode 0755 at its destination,
 * with any missing parent directories (0755). `--init` is the injection at "init".
 */
export async function overlay(entries: readonly TreeEntry[], inject: readonly Injection[], sde: number): Promise<Result<TreeEntry[], InitramfsFailure>> {
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const inj of inject) {
    const name = archiveName(inj.dst);
    if (!name) return err({ code: 'input', message: `inject ${inj.src}:${inj.dst}: the destination must be a path inside the initramfs` });
    let st;
    try { st = await stat(inj.src); } catch (cause) { return err({ code: 'input', message: `inject ${inj.src}: cannot read it`, cause }); }
    if (!st.isFile()) return err({ code: 'input', message: `inject ${inj.src}: not a regular file` });
    const existing = byName.get(name);
    if (existing && (existing.mode & S_IFMT) === S_IFDIR) return err({ code: 'input', message: `inject ${inj.src}:${inj.dst}: the destination is a directory in the tree` });
    byName.set(name, { name, mode: S_IFREG | 0o755, mtime: Math.floor(st.mtimeMs / 1000), size: st.size, source: inj.src, rdevmajor: 0, rdevminor: 0 });
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!byName.has(dir)) byName.set(dir, { name: dir, mode: S_IFDIR | 0o755, mtime: sde, size: 0, rdevmajor: 0, rdevminor: 0 });
    }
  }
  if (!byName.has('.')) byName.set('.', { name: '.', mode: S_IFDIR | 0o755, mtime: sde, size: 0, rdevmajor: 0, rdevminor: 0 });
  return ok([...byName.values()]);
}
