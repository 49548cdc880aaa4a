/** OCI descriptors and media types used by the push. Type-only (plus constants). */

export interface Descriptor {
  mediaType: string;
  /** `sha256:<hex>` */
  digest: string;
  size: number;
  artifactType?: string;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  empty: 'application/vnd.oci.empty.v1+json',
  sigstoreBundle: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  spdx: 'application/spdx+json',
  cyclonedx: 'application/vnd.cyclonedx+json',
} as const;

/** A blob to push: where its bytes are on disk. */
export interface LocalBlob extends Descriptor { file: string }

/** A manifest or index to push, with its exact bytes (its digest is over them). */
export interface LocalManifest extends Descriptor { bytes: Buffer }
