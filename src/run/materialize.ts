/**
 * Writes a cell's output directory `<out>/<variant>/<arch>/` atomically: everything is assembled
 * in `<out>/.staging/` and renamed into place, so an interrupted run leaves no partial cell.
 *
 * A cell already in place with the same content is left alone (a warm no-op rebuild copies
 * nothing): `<out>/.cells/<variant>.<arch>.json` records, when a cell is written, the digest of
 * its manifest without the run envelope and the size, mtime and inode of each of its files. The
 * cell is current when the new manifest has that digest and no file was touched since; then its
 * manifest and provenance keep the run that wrote them.
 */
import { constants } from 'node:fs';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BuildManifest } from '../manifest/types.js';
import { serializeManifest, sha256sums, type CellFile } from '../manifest/build-manifest.js';
import { buildProvenance } from '../manifest/provenance.js';
import { BUILDER_VERSION } from '../cli/version.js';
import { sparseCopy } from '../util/sparse-copy.js';
import { stableStringify } from '../util/stable-json.js';

export const MANIFEST_FILE = 'build-manifest.json';
export const SUMS_FILE = 'SHA256SUMS';
const STAGING = '.staging';
const STAMPS = '.cells';

interface Stamp { core: string; files: Record<string, { size: number; mtimeMs: number; ino: number }> }

const coreDigest = (m: BuildManifest): string => createHash('sha256').update(stableStringify({ ...m, run: null })).digest('hex');
const stampPath = (outRoot: string, m: BuildManifest): string => join(outRoot, STAMPS, `${m.variant}.${m.arch}.json`);

/** Every file under `dir` (relative paths), with the stat fields a stamp compares. */
async function snapshot(dir: string): Promise<Stamp['files']> {
  const files: Stamp['files'] = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    const st = await stat(path);
    files[path.slice(dir.length + 1)] = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  }
  return files;
}

async function isCurrent(outRoot: string, dest: string, manifest: BuildManifest): Promise<boolean> {
  const stamp = JSON.parse(await readFile(stampPath(outRoot, manifest), 'utf8').catch(() => 'null')) as Stamp | null;
  if (stamp?.core !== coreDigest(manifest)) return false;
  const now = await snapshot(dest).catch(() => undefined);
  return now !== undefined && stableStringify(now) === stableStringify(stamp.files);
}

let counter = 0;
/** Files this large are copied hole by hole (disk images); smaller ones in one call. */
const SPARSE_THRESHOLD = 64 << 20;

/** Writes the cell unless it is current; returns its directory and whether it was written. */
export async function writeCellOutput(outRoot: string, files: readonly CellFile[], manifest: BuildManifest): Promise<{ dir: string; written: boolean }> {
  const dest = join(outRoot, manifest.variant, manifest.arch);
  if (await isCurrent(outRoot, dest, manifest)) return { dir: dest, written: false };
  await rm(stampPath(outRoot, manifest), { force: true });
  const stagingRoot = join(outRoot, STAGING);
  const staging = join(stagingRoot, `${manifest.variant}-${manifest.arch}.${process.pid}.${++counter}`);
  await mkdir(staging, { recursive: true });
  try {
    for (const { src, digest } of files) {
      const dest = join(staging, digest.path);
      await mkdir(dirname(dest), { recursive: true });
      if (digest.size >= SPARSE_THRESHOLD) await sparseCopy(src, dest);
      else await copyFile(src, dest, constants.COPYFILE_FICLONE);
      // Tools leave private modes (dracut writes 0600); published artifacts are world-readable.
      await chmod(dest, 0o644);
    }
    await writeFile(join(staging, SUMS_FILE), sha256sums(manifest.artifacts));
    await writeFile(join(staging, manifest.provenance), buildProvenance(manifest, `https://powernode.dev/image-builder@${BUILDER_VERSION}`));
    await writeFile(join(staging, MANIFEST_FILE), serializeManifest(manifest));
    await replaceDir(staging, dest);
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rmdir(stagingRoot).catch(() => undefined);
  }
  const stamp: Stamp = { core: coreDigest(manifest), files: await snapshot(dest) };
  await mkdir(join(outRoot, STAMPS), { recursive: true });
  await writeFile(`${stampPath(outRoot, manifest)}.tmp`, JSON.stringify(stamp));
  await rename(`${stampPath(outRoot, manifest)}.tmp`, stampPath(outRoot, manifest));
  return { dir: dest, written: true };
}

/** Swaps `dest` for `fresh`: the old output stays whole until the new one is in place. */
async function replaceDir(fresh: string, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const old = `${fresh}.old`;
  let hadOld = true;
  try { await rename(dest, old); } catch { hadOld = false; }
  await rename(fresh, dest);
  if (hadOld) await rm(old, { recursive: true, force: true });
}

/** Removes staging directories a killed run left behind. */
export async function cleanOutputStaging(outRoot: string): Promise<void> {
  await rm(join(outRoot, STAGING), { recursive: true, force: true });
}
