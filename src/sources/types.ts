/** Domain types of image sources (a directory, an OCI image). Type-only. */

/** `oci://registry/repository[:tag][@sha256:...]`, parsed. */
export interface OciReference {
  /** `host[:port]` */
  registry: string;
  /** `library/debian`, `demo/base` */
  repository: string;
  /** The tag as written, if any (resolved and recorded as a digest). */
  tag: string | undefined;
  /** `sha256:<hex>` as written, if any: then the tag is only a label. */
  digest: string | undefined;
  /** Plain HTTP: loopback registries, or those in POWERNODE_INSECURE_REGISTRIES. */
  insecure: boolean;
}

/** What a pulled image is, recorded in manifests and facts. */
export interface PulledImage {
  /** The reference as written. */
  reference: string;
  /** `registry/repository@sha256:...` of what was pulled (the index when there is one). */
  pinned: string;
  /** Digest of the top-level document (index or manifest) the reference resolved to. */
  digest: string;
  /** Digest of the platform's image manifest. */
  manifestDigest: string;
  platform: { os: string; architecture: string; variant?: string };
  /** Layer blobs in application order, verified against their digests. */
  layers: { digest: string; mediaType: string; size: number; file: string }[];
  /** Digest of the image config. */
  configDigest: string;
}

export type SourceFailureCode =
  /** The reference or path is malformed. */
  | 'reference'
  /** The registry could not be reached or answered with an error. */
  | 'registry'
  /** A blob or manifest does not match its digest. */
  | 'integrity'
  /** The image has no manifest for the wanted platform. */
  | 'platform'
  /** Applying a layer failed. */
  | 'unpack'
  /** A local file could not be read or written. */
  | 'io';

export interface SourceFailure {
  code: SourceFailureCode;
  message: string;
  cause?: unknown;
}

/** A resolved source tree and what to record about it. */
export interface ResolvedSource {
  /** Directory holding the tree. */
  root: string;
  /** Stable description for manifests: `{ type: 'dir', path }` or `{ type: 'oci', ... }`. */
  record: Record<string, unknown>;
}
