/**
 * Pulls an image without Docker: the reference is resolved to a digest (a tag is only a way to
 * find it), an index is narrowed to the cell's platform, and the config and layers land in a
 * content-addressed cache (`<cache>/oci/blobs/sha256/<hex>`), each verified by its digest.
 * Blobs already in the cache are not fetched again.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PullClient, type FetchedManifest } from './pull-client.js';
import { describePlatform, selectPlatform, type Platform } from './platform.js';
import type { OciReference, PulledImage, SourceFailure } from '../types.js';
import { err, ok, type Result } from '../../util/result.js';

export interface PullOptions {
  cacheDir: string;
  platform: Platform;
  signal: AbortSignal;
  log?: (line: string) => void;
}

interface ManifestDoc {
  manifests?: { mediaType?: string; digest: string; size: number; platform?: Platform }[];
  config?: { digest: string; size: number };
  layers?: { mediaType: string; digest: string; size: number }[];
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

export const blobFile = (cacheDir: string, digest: string): string => join(cacheDir, 'oci', 'blobs', 'sha256', digest.slice('sha256:'.length));

async function cachedBlob(client: PullClient, cacheDir: string, d: { digest: string; size: number }): Promise<Result<string, SourceFailure>> {
  if (!/^sha256:[0-9a-f]{64}$/.test(d.digest)) return err({ code: 'integrity', message: `unsupported digest "${d.digest}" (sha256 only)` });
  const file = blobFile(cacheDir, d.digest);
  const have = await stat(file).then((s) => s.size, () => undefined);
  if (have === d.size) return ok(file);
  const got = await client.blobToFile(d.digest, file);
  if (!got.ok) return got;
  return got.value === d.size ? ok(file) : err({ code: 'integrity', message: `blob ${d.digest}: ${got.value} bytes, the manifest says ${d.size}` });
}

/** The image manifest for the platform, starting from whatever the reference names. */
async function platformManifest(client: PullClient, top: FetchedManifest, platform: Platform): Promise<Result<FetchedManifest, SourceFailure>> {
  if (!INDEX_TYPES.has(top.mediaType)) return ok(top);
  const doc = JSON.parse(top.bytes.toString('utf8')) as ManifestDoc;
  const entry = selectPlatform(doc.manifests ?? [], platform);
  if (!entry) {
    const offered = (doc.manifests ?? []).flatMap((m) => (m.platform ? [describePlatform(m.platform)] : [])).join(', ');
    return err({ code: 'platform', message: `index ${top.digest} has no ${describePlatform(platform)} image (it has: ${offered || 'none'})` });
  }
  return client.manifest(entry.digest);
}

export async function pullImage(ref: OciReference, written: string, o: PullOptions): Promise<Result<PulledImage, SourceFailure>> {
  const client = new PullClient(ref, o.signal);
  const top = await client.manifest(ref.digest ?? ref.tag ?? 'latest');
  if (!top.ok) return top;
  const manifest = await platformManifest(client, top.value, o.platform);
  if (!manifest.ok) return manifest;
  const doc = JSON.parse(manifest.value.bytes.toString('utf8')) as ManifestDoc;
  if (!doc.config || !doc.layers) return err({ code: 'reference', message: `${written}: ${manifest.value.digest} is not an image manifest (${manifest.value.mediaType})` });
  const config = await cachedBlob(client, o.cacheDir, doc.config);
  if (!config.ok) return config;
  const layers: PulledImage['layers'] = [];
  for (const l of doc.layers) {
    const file = await cachedBlob(client, o.cacheDir, l);
    if (!file.ok) return file;
    layers.push({ digest: l.digest, mediaType: l.mediaType, size: l.size, file: file.value });
  }
  o.log?.(`oci: ${written} -> ${top.value.digest} (${describePlatform(o.platform)} ${manifest.value.digest}, ${layers.length} layer(s))`);
  return ok({
    reference: written, pinned: `${ref.registry}/${ref.repository}@${top.value.digest}`, digest: top.value.digest,
    manifestDigest: manifest.value.digest, platform: o.platform, layers, configDigest: doc.config.digest,
  });
}
