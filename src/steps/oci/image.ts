/**
 * OCI image documents of the bootc image: config, manifest and index, OCI media types only
 * (umoci-based consumers reject Docker v2 manifests), serialized deterministically (sorted keys,
 * no whitespace) so their digests depend on the inputs alone. Pure.
 */
import { createHash } from 'node:crypto';
import type { Arch } from '../../config/types.js';
import type { Descriptor } from '../../publish/oci/types.js';
import { MEDIA } from '../../publish/oci/types.js';
import { stableStringify } from '../../util/stable-json.js';

export const LAYER_MEDIA = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const CONFIG_MEDIA = 'application/vnd.oci.image.config.v1+json';
/** Annotation naming a manifest in index.json: umoci and skopeo address images by it. */
export const REF_NAME = 'org.opencontainers.image.ref.name';
export const OCI_LAYOUT = '{"imageLayoutVersion":"1.0.0"}';

/** A document's exact bytes and descriptor. */
export interface Blob { bytes: Buffer; descriptor: Descriptor }

export function jsonBlob(mediaType: string, doc: unknown, extra: Partial<Descriptor> = {}): Blob {
  const bytes = Buffer.from(stableStringify(doc));
  return { bytes, descriptor: { mediaType, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length, ...extra } };
}

export interface LayerInfo { descriptor: Descriptor; /** sha256 of the uncompressed tar. */ diffId: string; createdBy: string }

export interface ImageConfigArgs { arch: Arch; sourceDateEpoch: number; labels: Record<string, string>; layers: readonly LayerInfo[] }

export function imageConfig(a: ImageConfigArgs): unknown {
  const created = new Date(a.sourceDateEpoch * 1000).toISOString();
  return {
    architecture: a.arch,
    os: 'linux',
    created,
    config: {
      Labels: a.labels,
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['/sbin/init'],
      StopSignal: 'SIGRTMIN+3',
    },
    rootfs: { type: 'layers', diff_ids: a.layers.map((l) => l.diffId) },
    history: a.layers.map((l) => ({ created, created_by: l.createdBy })),
  };
}

export function imageManifest(config: Descriptor, layers: readonly LayerInfo[], annotations: Record<string, string>): unknown {
  return { schemaVersion: 2, mediaType: MEDIA.manifest, config, layers: layers.map((l) => l.descriptor), annotations };
}

/** index.json of a layout: the manifests, each with its platform and a ref name. */
export function imageIndex(manifests: readonly Descriptor[]): unknown {
  const sorted = [...manifests].sort((a, b) => (a.platform?.architecture ?? '').localeCompare(b.platform?.architecture ?? ''));
  return { schemaVersion: 2, mediaType: MEDIA.index, manifests: sorted };
}
