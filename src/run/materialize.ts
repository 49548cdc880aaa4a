/**
 * Writes a cell's output directory `<out>/<variant>/<arch>/` atomically: everything is assembled
 * in `<out>/.staging/` and renamed into place, so an interrupted run leaves no partial cell.
 */
import { constants } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BuildManifest } from '../manifest/types.js';
import { serializeManifest, sha256sums, type CellFile } from '../manifest/build-manifest.js';
import { buildProvenance } from '../manifest/provenance.js';
import { BUILDER_VERSION } from '../cli/version.js';
import { sparseCopy } from '../util/sparse-copy.js';

export const MANIFEST_FILE = 'build-manifest.json';
export const SUMS_FILE = 'SHA256SUMS';
const STAGING = '.staging';

let counter = 0;
/** Files this large are copied hole by hole (disk images); smaller ones in one call. */
const SPARSE_THRESHOLD = 64 << 20;

export async function writeCellOutput(outRoot: string, files: readonly CellFile[], manifest: BuildManifest): Promise<string> {
  const dest = join(outRoot, manifest.variant, manifest.arch);
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
  return dest;
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
