/**
 * Keyless mode: an ephemeral P-256 key, certified by Fulcio for the OIDC identity, signs every
 * file of the run (streamed); Rekor witnesses each signature. The certificate request is the
 * Fulcio v2 `signingCert` API with a proof of possession over the token's subject.
 */
import { createPublicKey, generateKeyPairSync, sign as oneShotSign, X509Certificate, type KeyObject } from 'node:crypto';
import { RekorWitness, type Witness } from '@sigstore/sign';
import { httpError, PublishError, toPublishError } from '../errors.js';
import { hashAndSign } from './stream-sign.js';
import type { ArtifactSigner, SignedDigest, SigningKey } from './types.js';

export interface KeylessOptions {
  fulcioUrl: string;
  rekorUrl: string;
  identityToken: string;
  signal?: AbortSignal;
}

/** The claim Fulcio binds: `email` when the token is an email identity, else `sub`. */
function tokenSubject(token: string): string {
  const payload = token.split('.')[1];
  if (!payload) throw new PublishError('config', 'SIGSTORE_ID_TOKEN: not a JWT');
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown; email?: unknown };
    const subject = typeof claims.email === 'string' ? claims.email : claims.sub;
    if (typeof subject !== 'string') throw new Error('no sub or email claim');
    return subject;
  } catch (cause) {
    throw new PublishError('config', 'SIGSTORE_ID_TOKEN: cannot read its claims', { cause });
  }
}

async function requestCertificate(o: KeylessOptions, publicKey: KeyObject, privateKey: KeyObject): Promise<Buffer> {
  const proof = oneShotSign('sha256', Buffer.from(tokenSubject(o.identityToken)), privateKey).toString('base64');
  const url = new URL('/api/v2/signingCert', o.fulcioUrl);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST', signal: o.signal,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        credentials: { oidcIdentityToken: o.identityToken },
        publicKeyRequest: { publicKey: { algorithm: 'ECDSA', content: publicKey.export({ type: 'spki', format: 'pem' }).toString() }, proofOfPossession: proof },
      }),
    });
  } catch (cause) {
    throw toPublishError(cause, `Fulcio ${url.origin}`);
  }
  const text = await res.text();
  if (!res.ok) throw httpError(`Fulcio ${url.origin}`, res, text);
  const body = JSON.parse(text) as { signedCertificateEmbeddedSct?: { chain?: { certificates?: string[] } }; signedCertificateDetachedSct?: { chain?: { certificates?: string[] } } };
  const leaf = (body.signedCertificateEmbeddedSct ?? body.signedCertificateDetachedSct)?.chain?.certificates?.[0];
  if (!leaf) throw new PublishError('sign', `Fulcio ${url.origin}: no certificate in the response`);
  return new X509Certificate(leaf).raw;
}

export class KeylessSigner implements ArtifactSigner {
  readonly mode = 'keyless';
  private constructor(private readonly privateKey: KeyObject, private readonly certificate: Buffer, readonly witnesses: readonly Witness[]) {}

  static async create(o: KeylessOptions): Promise<KeylessSigner> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const certificate = await requestCertificate(o, publicKey, privateKey);
    if (!new X509Certificate(certificate).publicKey.equals(createPublicKey(privateKey))) {
      throw new PublishError('sign', 'Fulcio returned a certificate for another key');
    }
    return new KeylessSigner(privateKey, certificate, [new RekorWitness({ rekorBaseURL: o.rekorUrl, fetchOnConflict: true })]);
  }

  async signFile(path: string, signal?: AbortSignal): Promise<SignedDigest> {
    const { digest, signature } = await hashAndSign(path, this.privateKey, signal);
    return { digest, signature, key: { kind: 'certificate', der: this.certificate } };
  }

  /**
   * A keyless bundle from an earlier run carries another short-lived certificate; it is kept when
   * that certificate names the same identity (so a re-publish does not re-sign and re-upload).
   */
  owns(key: SigningKey): boolean {
    if (key.kind !== 'certificate') return false;
    try {
      const theirs = new X509Certificate(key.der);
      const ours = new X509Certificate(this.certificate);
      return theirs.subjectAltName === ours.subjectAltName && theirs.issuer === ours.issuer;
    } catch {
      return false;
    }
  }
}
