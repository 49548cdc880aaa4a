/** Ports of the signing side. Type-only. */
import type { Witness } from '@sigstore/sign';

/** What verifies a signature: a key named by a hint, or a Fulcio certificate (DER). */
export type SigningKey =
  | { kind: 'public-key'; /** Identifies the key to verifiers (base64 sha256 of its SPKI DER). */ hint: string }
  | { kind: 'certificate'; /** DER of the short-lived Fulcio certificate. */ der: Buffer };

/** A streamed signature over one file. */
export interface SignedDigest {
  /** SHA-256 of the file's bytes. */
  digest: Buffer;
  /** Signature over the file's bytes (ECDSA/RSA with SHA-256: the same as over the digest). */
  signature: Buffer;
  key: SigningKey;
}

/**
 * Signs a file while streaming it: never reads an image into memory. Implementations: a local
 * key (air-gapped) and keyless (ephemeral key + Fulcio certificate).
 */
export interface ArtifactSigner {
  readonly mode: 'key' | 'keyless';
  signFile(path: string, signal?: AbortSignal): Promise<SignedDigest>;
  /** Whether an existing bundle made by this signer's key may be kept (idempotent re-publish). */
  owns(key: SigningKey): boolean;
  /** Transparency-log / timestamp witnesses to add to each bundle (none in key mode). */
  readonly witnesses: readonly Witness[];
}
