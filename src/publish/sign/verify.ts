/**
 * Checks a `<file>.sigstore.json` against the file with @sigstore/verify. The file is streamed
 * once (digest and signature together) and the verifier is handed a signature content that
 * answers from that pass, so a multi-GiB image is never read into memory.
 */
import { timingSafeEqual, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { toSignedEntity, Verifier, type SignedEntity, type TrustMaterial, type VerificationPolicy } from '@sigstore/verify';
import { PublishError } from '../errors.js';
import { err, ok, type Result } from '../../util/result.js';
import { bundleSubject, parseBundle } from './bundle.js';
import { hashAndVerify } from './stream-sign.js';

/** How signatures are trusted: a known public key, or Fulcio/Rekor roots plus an identity. */
export type TrustPolicy =
  | { kind: 'key'; publicKey: KeyObject }
  | { kind: 'keyless'; trust: TrustMaterial; identity: VerificationPolicy; tlogThreshold?: number; ctlogThreshold?: number };

export interface VerifiedSignature {
  /** sha256 hex the bundle covers (and the file has). */
  sha256: string;
  /** Certificate subject (keyless) or "public key" (key mode). */
  signer: string;
}

/** Key mode: any hint resolves to the one key the user trusts. */
function keyTrust(publicKey: KeyObject): TrustMaterial {
  return {
    certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [],
    publicKey: () => ({ publicKey, validFor: () => true }),
  };
}

const equal = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** A SignatureContent backed by the result of the streamed pass over the file. */
function streamedContent(signature: Buffer, digest: Buffer, candidate: KeyObject, signatureValid: boolean): SignedEntity['signature'] {
  return {
    signature,
    compareSignature: (other) => equal(other, signature),
    compareDigest: (other) => equal(other, digest),
    verifySignature: (key) => signatureValid && key.equals(candidate),
  };
}

export async function verifyFileSignature(
  file: string, bundlePath: string, policy: TrustPolicy, signal?: AbortSignal,
): Promise<Result<VerifiedSignature, PublishError>> {
  let bundle;
  try { bundle = parseBundle(await readFile(bundlePath, 'utf8')); } catch (cause) {
    return err(new PublishError('verify', `${bundlePath}: not a readable Sigstore bundle`, { cause }));
  }
  const subject = bundleSubject(bundle);
  if (!subject || bundle.content.$case !== 'messageSignature') return err(new PublishError('verify', `${bundlePath}: not a message-signature bundle`));
  if (subject.key.kind === 'public-key' && policy.kind !== 'key') return err(new PublishError('verify', `${bundlePath}: signed with a key; pass --key`));
  if (subject.key.kind === 'certificate' && policy.kind !== 'keyless') return err(new PublishError('verify', `${bundlePath}: keyless bundle; pass --identity and --issuer (and --trusted-root)`));
  const candidate = subject.key.kind === 'certificate' ? new X509Certificate(subject.key.der).publicKey : (policy as { publicKey: KeyObject }).publicKey;
  const signature = Buffer.from(bundle.content.messageSignature.signature);
  let check;
  try { check = await hashAndVerify(file, candidate, signature, signal); } catch (cause) {
    return err(new PublishError('io', `${file}: cannot read`, { cause }));
  }
  if (!equal(check.digest, subject.digest)) return err(new PublishError('verify', `${file}: sha256 ${check.digest.toString('hex')} is not the digest the bundle signs (${subject.digest.toString('hex')})`));
  const entity = { ...toSignedEntity(bundle), signature: streamedContent(signature, subject.digest, candidate, check.signatureValid) };
  try {
    if (policy.kind === 'key') {
      new Verifier(keyTrust(policy.publicKey), { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(entity);
      return ok({ sha256: check.digest.toString('hex'), signer: 'public key' });
    }
    const verifier = new Verifier(policy.trust, { tlogThreshold: policy.tlogThreshold ?? 1, ctlogThreshold: policy.ctlogThreshold ?? 1, timestampThreshold: 1 });
    const signer = verifier.verify(entity, policy.identity);
    return ok({ sha256: check.digest.toString('hex'), signer: signer.identity?.subjectAlternativeName ?? 'certificate' });
  } catch (cause) {
    return err(new PublishError('verify', `${file}: ${(cause as Error).message}`, { cause }));
  }
}
