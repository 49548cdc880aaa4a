/**
 * Joins per-arch OCI layouts (the oci cells' outputs, `<out>/oci/<arch>/`) into one layout whose
 * index.json lists every arch's manifest, which is what `publish` pushes as the multi-arch image
 * (its default layout is `<out>/oci`). Blobs are hard-linked (copied across filesystems). The
 * index is written in staging and renamed into place. Deterministic: the same per-arch layouts
 * give the same index bytes, whatever the order of `sources`.
 */
import { copyFile, link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Descriptor } from '../../publish/oci/types.js';
import { MEDIA } from '../../publish/oci/types.js';
import { imageIndex, jsonBlob, OCI_LAYOUT } from './image.js';

export async function mergeOciLayouts(sources: readonly string[], dest: string): Promise<{ digest: string; manifests: Descriptor[] }> {
  const manifests: Descriptor[] = [];
  const blobs = join(dest, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  for (const src of sources) {
    const index = JSON.parse(await readFile(join(src, 'index.json'), 'utf8')) as { manifests?: Descriptor[] };
    manifests.push(...(index.manifests ?? []));
    for (const name of await readdir(join(src, 'blobs', 'sha256'))) {
      const to = join(blobs, name);
      await link(join(src, 'blobs', 'sha256', name), to).catch(async (e: unknown) => {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
        await copyFile(join(src, 'blobs', 'sha256', name), to);
      });
    }
  }
  const arches = manifests.map((m) => m.platform?.architecture ?? '');
  if (new Set(arches).size !== arches.length) throw new Error(`mergeOciLayouts: two manifests for one platform (${arches.join(', ')})`);
  const index = jsonBlob(MEDIA.index, imageIndex(manifests));
  await writeFile(join(dest, 'oci-layout'), OCI_LAYOUT);
  const staging = join(dest, `.index.json.${process.pid}`);
  await writeFile(staging, index.bytes);
  await rename(staging, join(dest, 'index.json'));
  await rm(staging, { force: true });
  return { digest: index.descriptor.digest, manifests };
}
