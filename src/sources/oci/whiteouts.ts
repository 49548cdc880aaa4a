/**
 * OCI whiteouts: `.wh.<name>` deletes `<name>` from the layers below; `.wh..wh..opq` empties its
 * directory of what the layers below put there. Parsing is pure; deletion never follows a
 * symlink out of the root (a whiteout under a symlinked directory deletes nothing).
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const OPAQUE = '.wh..wh..opq';
export const WHITEOUT_PREFIX = '.wh.';

export type Whiteout = { kind: 'delete'; path: string } | { kind: 'opaque'; dir: string };

/** `tar --quoting-style=escape` output back to the member name (octal escapes are raw bytes). */
export function unescapeTarName(s: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', b: '\b', a: '\x07' };
  const bytes: Buffer[] = [];
  let last = 0;
  for (const m of s.matchAll(/\\([0-7]{3}|.)/g)) {
    bytes.push(Buffer.from(s.slice(last, m.index)));
    const e = m[1] ?? '';
    bytes.push(e.length === 3 ? Buffer.from([parseInt(e, 8)]) : Buffer.from(simple[e] ?? e));
    last = m.index + m[0].length;
  }
  bytes.push(Buffer.from(s.slice(last)));
  return Buffer.concat(bytes).toString('utf8');
}

/** "./etc/x/" -> "etc/x"; "" for the root. */
export function normalizeMember(name: string): string {
  return name.split('/').filter((p) => p !== '' && p !== '.').join('/');
}

/** The whiteouts among a layer's member names (as listed, already unescaped). */
export function findWhiteouts(members: readonly string[]): Whiteout[] {
  const out: Whiteout[] = [];
  for (const m of members) {
    const n = normalizeMember(m);
    const slash = n.lastIndexOf('/');
    const dir = slash < 0 ? '' : n.slice(0, slash);
    const base = n.slice(slash + 1);
    if (base === OPAQUE) out.push({ kind: 'opaque', dir });
    else if (base.startsWith(WHITEOUT_PREFIX) && base.length > WHITEOUT_PREFIX.length) {
      const target = base.slice(WHITEOUT_PREFIX.length);
      if (target !== '.' && target !== '..') out.push({ kind: 'delete', path: dir ? `${dir}/${target}` : target });
    }
  }
  return out;
}

/** `root/rel` when every directory on the way is a real directory inside root; else undefined. */
async function insideRoot(root: string, rel: string): Promise<string | undefined> {
  const parts = rel.split('/').filter(Boolean);
  if (parts.some((p) => p === '..')) return undefined;
  let at = root;
  for (const p of parts.slice(0, -1)) {
    at = join(at, p);
    const st = await lstat(at).catch(() => undefined);
    if (!st?.isDirectory()) return undefined;
  }
  return join(root, ...parts);
}

export async function applyWhiteout(root: string, w: Whiteout): Promise<void> {
  if (w.kind === 'delete') {
    const target = await insideRoot(root, w.path);
    if (target) await rm(target, { recursive: true, force: true });
    return;
  }
  const dir = w.dir === '' ? root : await insideRoot(root, `${w.dir}/x`).then((p) => (p ? join(p, '..') : undefined));
  if (!dir) return;
  const st = await lstat(dir).catch(() => undefined);
  if (!st?.isDirectory()) return;
  for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true });
}
