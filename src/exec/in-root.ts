/**
 * Looks up programs inside a root filesystem tree from the host, following symlinks as the
 * root would see them (an absolute link points into the root, not at the host's /).
 */
import { access, constants, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';

const MAX_LINKS = 40;

/** The host path of `path` as resolved inside `root`, or undefined when it does not exist. */
export async function resolveInRoot(root: string, path: string): Promise<string | undefined> {
  const pending = path.split('/').filter(Boolean);
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() ?? '';
    if (part === '.') continue;
    if (part === '..') { done.pop(); continue; }
    const host = join(root, ...done, part);
    let target: string;
    try { target = await readlink(host); } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EINVAL') { done.push(part); continue; }
      return undefined;
    }
    if (++links > MAX_LINKS) return undefined;
    if (posix.isAbsolute(target)) done.length = 0;
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return join(root, ...done);
}

/** `which` inside a root: the in-root path of an executable on PATH (or an absolute program). */
export async function whichInRoot(root: string, program: string, path: readonly string[]): Promise<string | undefined> {
  const candidates = program.includes('/') ? [program] : path.map((dir) => posix.join(dir, program));
  for (const candidate of candidates) {
    const host = await resolveInRoot(root, candidate);
    if (host && (await isExecutable(host))) return candidate;
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try { await access(path, constants.X_OK); return true; } catch { return false; }
}
