/** The tracked input files whose content goes into step keys (dracut config, dracut modules). */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { InputFile } from './types.js';
import { sha256Hex } from '../util/hash.js';

export const PINNED_INPUT_DIRS = ['dracut', 'modules.d'] as const;

async function walk(dir: string): Promise<string[]> {
  let entries;
  try { entries = await readdir(dir, { withFileTypes: true }); } catch { return []; }
  const nested = await Promise.all(entries.map(async (e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.isFile() ? [p] : [];
  }));
  return nested.flat();
}

export async function collectInputs(root: string, extraDirs: readonly string[] = []): Promise<InputFile[]> {
  const dirs = [...PINNED_INPUT_DIRS, ...extraDirs];
  const files = (await Promise.all(dirs.map((d) => walk(join(root, d))))).flat();
  const inputs = await Promise.all(files.map(async (abs) => ({
    path: relative(root, abs).split(sep).join('/'),
    sha256: sha256Hex(await readFile(abs)),
    executable: ((await stat(abs)).mode & 0o111) !== 0,
  })));
  return inputs.sort((a, b) => (a.path < b.path ? -1 : 1));
}
