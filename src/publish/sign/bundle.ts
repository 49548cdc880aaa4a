/**
 * Assembles a Sigstore bundle v0.3 (message signature) from a streamed signature, lets the
 * witnesses (Rekor, TSA) testify, and serializes it as stable JSON: the cosign-compatible
 * `<artifact>.sigstore.json`.
 */
import { X509Certificate } from 'node:crypto';
import { bundleFromJSON, bundleToJSON, toMessageSignatureBundle, type Bundle } from '@sigstore/bundle';
import type { Witness } from '@sigstore/sign';
import { stableStringify } from '../../util/stable-json.js';
import type { SignedDigest, SigningKey } from './types.js';

export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

function verifierPem(key: SigningKey, publicKeyPem: string | undefined): string {
  switch (key.kind) {
    case 'certificate': return new X509Certificate(key.der).toString();
    case 'public-key': return publicKeyPem ?? '';
    default: throw new Error(`unexpected key ${JSON.stringify(key satisfies never)}`);
  }
}

/** Builds the bundle and collects the witnesses' tlog entries and timestamps. */
export async function createBundle(signed: SignedDigest, witnesses: readonly Witness[], publicKeyPem?: string): Promise<Bundle> {
  const bundle = toMessageSignatureBundle({
    digest: signed.digest,
    signature: signed.signature,
    certificate: signed.key.kind === 'certificate' ? signed.key.der : undefined,
    keyHint: signed.key.kind === 'public-key' ? signed.key.hint : undefined,
    certificateChain: false,
  });
  const material = await Promise.all(witnesses.map((w) => w.testify(bundle.content, verifierPem(signed.key, publicKeyPem))));
  bundle.verificationMaterial.tlogEntries = material.flatMap((m) => m.tlogEntries ?? []);
  bundle.verificationMaterial.timestampVerificationData = { rfc3161Timestamps: material.flatMap((m) => m.rfc3161Timestamps ?? []) };
  return bundle;
}

export function serializeBundle(bundle: Bundle): string {
  return stableStringify(bundleToJSON(bundle), 2) + '\n';
}

export function parseBundle(text: string): Bundle {
  return bundleFromJSON(JSON.parse(text));
}

/** The digest a message-signature bundle covers and the key that made it. */
export function bundleSubject(bundle: Bundle): { digest: Buffer; key: SigningKey } | undefined {
  if (bundle.content.$case !== 'messageSignature') return undefined;
  const digest = Buffer.from(bundle.content.messageSignature.messageDigest.digest);
  const content = bundle.verificationMaterial.content;
  switch (content.$case) {
    case 'publicKey': return { digest, key: { kind: 'public-key', hint: content.publicKey.hint } };
    case 'certificate': return { digest, key: { kind: 'certificate', der: Buffer.from(content.certificate.rawBytes) } };
    case 'x509CertificateChain': {
      const leaf = content.x509CertificateChain.certificates[0];
      return leaf ? { digest, key: { kind: 'certificate', der: Buffer.from(leaf.rawBytes) } } : undefined;
    }
    default: return undefined;
  }
}
