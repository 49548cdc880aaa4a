/**
 * The multi-arch image: joins the per-arch oci cells (`<out>/oci/<arch>/`, each a layout whose
 * index.json names one manifest) into one OCI layout at `<out>/oci/` itself. Its index.json has
 * one entry, an image index blob listing every arch's manifest with its platform, under the ref
 * name `latest`: the shape `skopeo copy --all` produces, what `publish` pushes by default.
 *
 * Deterministic: the same per-arch manifests give the same index bytes, whatever the order the
 * cells were built in. Never inconsistent on disk: blobs are hard-linked in first (copied across
 * filesystems), index.json is renamed into place, and only then are blobs that the new index no
 * longer reaches removed.
 */
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Descriptor } from '../../publish/oci/types.js';
import { MEDIA } from '../../publish/oci/types.js';
import { jsonBlob, OCI_LAYOUT, REF_NAME } from './image.js';

/** The ref name of the multi-arch index in `<out>/oci/index.json`. */
export const INDEX_REF = 'latest';

export interface OciIndex {
  /** Digest of the image index blob (what a registry serves for the pushed tag). */
  digest: string;
  /** Per arch, sorted by arch. */
  manifests: { arch: string; digest: string }[];
}

interface ManifestDoc { config?: Descriptor; layers?: Descriptor[] }

const hex = (digest: string): string => {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m?.[1]) throw new Error(`unsupported digest "${digest}" (sha256 only)`);
  return m[1];
};

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

/** The per-arch layouts under `variantDir`: subdirectories holding oci-layout and index.json. */
async function archLayouts(variantDir: string): Promise<string[]> {
  const entries = await readdir(variantDir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'blobs') continue;
    if (await exists(join(variantDir, e.name, 'index.json'))) found.push(e.name);
  }
  return found.sort();
}

/** The one manifest of an arch's layout and the blobs it reaches. */
async function readArch(dir: string, arch: string): Promise<{ manifest: Descriptor; blobs: string[] }> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests?: Descriptor[] };
  const entries = index.manifests ?? [];
  const [manifest] = entries;
  if (entries.length !== 1 || !manifest) throw new Error(`${dir}/index.json: expected one manifest, found ${entries.length}`);
  if (manifest.mediaType !== MEDIA.manifest) throw new Error(`${dir}/index.json: ${manifest.digest} is ${manifest.mediaType}, expected ${MEDIA.manifest}`);
  if (manifest.platform?.architecture !== arch) {
    throw new Error(`${dir}/index.json: the manifest's platform is "${manifest.platform?.architecture ?? '(none)'}", expected "${arch}" (the directory's name)`);
  }
  const doc = JSON.parse(await readFile(join(dir, 'blobs', 'sha256', hex(manifest.digest)), 'utf8')) as ManifestDoc;
  const children = [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])];
  return { manifest, blobs: [manifest.digest, ...children.map((d) => d.digest)].map(hex) };
}

async function linkBlob(from: string, to: string): Promise<void> {
  if (await exists(to)) return; // content-addressed: same name, same bytes
  await link(from, to).catch(async (e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
    await copyFile(from, to);
  });
}

/**
 * Writes (or rewrites) the multi-arch layout at `variantDir` from the arch layouts under it.
 * Returns undefined when there are none.
 */
export async function writeOciIndex(variantDir: string): Promise<OciIndex | undefined> {
  const arches = await archLayouts(variantDir);
  if (arches.length === 0) return undefined;
  const blobsDir = join(variantDir, 'blobs', 'sha256');
  await mkdir(blobsDir, { recursive: true });
  const children: Descriptor[] = [];
  const reachable = new Set<string>();
  for (const arch of arches) {
    const src = join(variantDir, arch);
    const { manifest, blobs } = await readArch(src, arch);
    for (const name of blobs) {
      await linkBlob(join(src, 'blobs', 'sha256', name), join(blobsDir, name));
      reachable.add(name);
    }
    children.push({ mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size, platform: { architecture: arch, os: manifest.platform?.os ?? 'linux' } });
  }
  const index = jsonBlob(MEDIA.index, { schemaVersion: 2, mediaType: MEDIA.index, manifests: children });
  const indexName = hex(index.descriptor.digest);
  await writeFile(join(blobsDir, indexName), index.bytes);
  reachable.add(indexName);
  const top = jsonBlob(MEDIA.index, { schemaVersion: 2, mediaType: MEDIA.index, manifests: [{ ...index.descriptor, annotations: { [REF_NAME]: INDEX_REF } }] });
  await writeFile(join(variantDir, 'oci-layout'), OCI_LAYOUT);
  const staging = join(variantDir, `.index.json.${process.pid}`);
  await writeFile(staging, top.bytes);
  await rename(staging, join(variantDir, 'index.json'));
  for (const name of await readdir(blobsDir)) {
    if (!reachable.has(name)) await rm(join(blobsDir, name), { force: true });
  }
  return { digest: index.descriptor.digest, manifests: children.map((c) => ({ arch: c.platform?.architecture ?? '', digest: c.digest })) };
}
