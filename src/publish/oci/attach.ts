/**
 * Attaches artifacts (the Sigstore bundle of the pushed image, an SBOM) to a pushed manifest:
 * an OCI artifact manifest with `subject`, found through the referrers API where the registry
 * has one, else through the `sha256-<hex>` tag fallback index (docker-registry 2.8).
 */
import { MEDIA, type Descriptor, type LocalBlob, type LocalManifest } from './types.js';
import { digestOf } from './layout.js';
import type { RegistryClient } from './registry-client.js';
import { stableStringify } from '../../util/stable-json.js';

export const EMPTY_CONFIG = Buffer.from('{}');

/** The artifact manifest for one file about `subject`. Deterministic: same inputs, same digest. */
export function artifactManifest(subject: Descriptor, artifactType: string, layer: Descriptor, annotations: Record<string, string>): LocalManifest {
  const doc = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    artifactType,
    config: { mediaType: MEDIA.empty, digest: digestOf(EMPTY_CONFIG), size: EMPTY_CONFIG.length },
    layers: [layer],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations,
  };
  const bytes = Buffer.from(stableStringify(doc));
  return { mediaType: MEDIA.manifest, artifactType, digest: digestOf(bytes), size: bytes.length, bytes, annotations };
}

/** The fallback tag for a subject: `sha256-<hex>`. */
export const fallbackTag = (digest: string): string => digest.replace(':', '-');

/**
 * Makes `artifact` findable as a referrer of `subject`. `subjectAccepted` is whether the
 * registry answered the artifact's PUT with OCI-Subject (it indexes referrers itself).
 */
export async function registerReferrer(client: RegistryClient, subject: Descriptor, artifact: LocalManifest, subjectAccepted: boolean): Promise<'api' | 'tag'> {
  if (subjectAccepted) return 'api';
  const tag = fallbackTag(subject.digest);
  const existing = await client.getManifest(tag, MEDIA.index);
  const index = existing ? JSON.parse(existing.toString('utf8')) as { manifests?: Descriptor[] } : {};
  const manifests = (index.manifests ?? []).filter((d) => d.digest !== artifact.digest);
  const entry: Descriptor = { mediaType: MEDIA.manifest, digest: artifact.digest, size: artifact.size, artifactType: artifact.artifactType, ...(artifact.annotations ? { annotations: artifact.annotations } : {}) };
  const already = (index.manifests ?? []).some((d) => d.digest === artifact.digest);
  if (already) return 'tag';
  const bytes = Buffer.from(stableStringify({ schemaVersion: 2, mediaType: MEDIA.index, manifests: [...manifests, entry].sort((a, b) => (a.digest < b.digest ? -1 : 1)) }));
  await client.putManifest(tag, MEDIA.index, bytes);
  return 'tag';
}

export type { LocalBlob };
