/**
 * Reads an OCI image layout directory (oci-layout, index.json, blobs/sha256/...): the blobs to
 * push, the manifests in dependency order (children before the index that lists them), and the
 * top-level document. Blob contents are not read here; manifests are small and are.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PublishError } from '../errors.js';
import { MEDIA, type Descriptor, type LocalBlob, type LocalManifest } from './types.js';

export interface OciLayout {
  dir: string;
  blobs: LocalBlob[];
  /** Children first, the top-level document last. */
  manifests: LocalManifest[];
  top: LocalManifest;
}

interface ManifestDoc { mediaType?: string; manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] }

const blobPath = (dir: string, digest: string): string => {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m?.[1]) throw new PublishError('io', `${dir}: unsupported digest "${digest}" (sha256 only)`);
  return join(dir, 'blobs', 'sha256', m[1]);
};

export const digestOf = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function readManifest(dir: string, d: Descriptor): Promise<{ doc: ManifestDoc; bytes: Buffer }> {
  const bytes = await readFile(blobPath(dir, d.digest)).catch((cause: unknown) => { throw new PublishError('io', `${dir}: missing blob ${d.digest}`, { cause }); });
  if (digestOf(bytes) !== d.digest) throw new PublishError('integrity', `${dir}: blob ${d.digest} does not match its digest`);
  return { doc: JSON.parse(bytes.toString('utf8')) as ManifestDoc, bytes };
}

async function collect(dir: string, d: Descriptor, out: { blobs: Map<string, LocalBlob>; manifests: Map<string, LocalManifest> }): Promise<void> {
  if (out.manifests.has(d.digest)) return;
  const { doc, bytes } = await readManifest(dir, d);
  const mediaType = doc.mediaType ?? d.mediaType;
  if (mediaType === MEDIA.index) {
    for (const child of doc.manifests ?? []) await collect(dir, child, out);
  } else if (mediaType === MEDIA.manifest) {
    for (const b of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) {
      const file = blobPath(dir, b.digest);
      const size = (await stat(file).catch((cause: unknown) => { throw new PublishError('io', `${dir}: missing blob ${b.digest}`, { cause }); })).size;
      if (size !== b.size) throw new PublishError('integrity', `${dir}: blob ${b.digest} is ${size} bytes, descriptor says ${b.size}`);
      out.blobs.set(b.digest, { ...b, file });
    }
  } else {
    throw new PublishError('io', `${dir}: ${d.digest} has media type ${mediaType}; only OCI image manifests and indexes are pushed`);
  }
  out.manifests.set(d.digest, { mediaType, digest: d.digest, size: bytes.length, bytes });
}

export async function readLayout(dir: string): Promise<OciLayout> {
  let indexBytes: Buffer;
  try {
    const marker = JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8')) as { imageLayoutVersion?: string };
    if (marker.imageLayoutVersion !== '1.0.0') throw new Error(`imageLayoutVersion ${String(marker.imageLayoutVersion)}`);
    indexBytes = await readFile(join(dir, 'index.json'));
  } catch (cause) {
    throw new PublishError('io', `${dir}: not an OCI image layout (oci-layout 1.0.0 + index.json)`, { cause });
  }
  const index = JSON.parse(indexBytes.toString('utf8')) as ManifestDoc;
  const entries = index.manifests ?? [];
  if (entries.length === 0) throw new PublishError('io', `${dir}/index.json lists no manifests`);
  const out = { blobs: new Map<string, LocalBlob>(), manifests: new Map<string, LocalManifest>() };
  for (const d of entries) await collect(dir, d, out);
  // One entry: it is the image (index or manifest). Several: index.json itself is the index.
  const single = entries.length === 1 ? out.manifests.get(entries[0]?.digest ?? '') : undefined;
  const top = single ?? { mediaType: MEDIA.index, digest: digestOf(indexBytes), size: indexBytes.length, bytes: indexBytes };
  const manifests = [...out.manifests.values()].filter((m) => m.digest !== top.digest);
  return { dir, blobs: [...out.blobs.values()], manifests: [...manifests, top], top };
}
