/**
 * Finds the built cells under an output root: `<out>/<variant>/<arch>/build-manifest.json`.
 * Publishing reads only what the build wrote; it never rebuilds.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildManifest } from '../manifest/types.js';
import type { Selection } from '../plan/types.js';
import { PublishError } from './errors.js';

import { MANIFEST_FILE, SUMS_FILE } from '../run/materialize.js';

export { MANIFEST_FILE, SUMS_FILE };
export const BUNDLE_SUFFIX = '.sigstore.json';

/** One built cell as publishing sees it. */
export interface Cell {
  /** Absolute path of `<out>/<variant>/<arch>`. */
  dir: string;
  variant: string;
  arch: string;
  manifest: BuildManifest;
}

/** The files of a cell that get signed: every artifact, the manifest and the provenance. Paths relative to the cell. */
export function signedFiles(cell: Cell): string[] {
  // Manifests written before provenance existed have no such field.
  const provenance = (cell.manifest as Partial<BuildManifest>).provenance;
  return [...cell.manifest.artifacts.map((a) => a.path), MANIFEST_FILE, ...(provenance ? [provenance] : [])];
}

/** Everything uploaded for a cell: signed files, their bundles, and SHA256SUMS. */
export function uploadedFiles(cell: Cell): string[] {
  return [...signedFiles(cell), ...signedFiles(cell).map((f) => f + BUNDLE_SUFFIX), SUMS_FILE].sort();
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  } catch (cause) {
    throw new PublishError('io', `cannot read output directory ${dir}`, { cause });
  }
}

/** Cells under `outRoot` that match the selection (empty lists select everything). */
export async function findCells(outRoot: string, selection: Selection): Promise<Cell[]> {
  const cells: Cell[] = [];
  for (const variant of await subdirs(outRoot)) {
    if (selection.variants.length > 0 && !selection.variants.includes(variant)) continue;
    for (const arch of await subdirs(join(outRoot, variant))) {
      if (selection.arches.length > 0 && !selection.arches.includes(arch)) continue;
      const dir = join(outRoot, variant, arch);
      let text: string;
      try { text = await readFile(join(dir, MANIFEST_FILE), 'utf8'); } catch { continue; }
      cells.push({ dir, variant, arch, manifest: parseManifest(text, dir) });
    }
  }
  return cells;
}

function parseManifest(text: string, dir: string): BuildManifest {
  try {
    const m = JSON.parse(text) as Partial<Record<keyof BuildManifest, unknown>>;
    if (m.format !== 1 || !Array.isArray(m.artifacts)) throw new Error(`unsupported manifest format ${JSON.stringify(m.format)}`);
    return m as unknown as BuildManifest;
  } catch (cause) {
    throw new PublishError('io', `${join(dir, MANIFEST_FILE)}: not a build manifest`, { cause });
  }
}
