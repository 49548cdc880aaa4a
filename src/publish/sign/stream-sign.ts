/**
 * One read of a file feeds both its SHA-256 and a streaming signer. ECDSA and RSA over SHA-256
 * sign the digest of the data, so a streamed signature verifies like a one-shot one.
 */
import { createHash, createSign, createVerify, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface StreamedSignature { digest: Buffer; signature: Buffer }

export async function hashAndSign(path: string, key: KeyObject, signal?: AbortSignal): Promise<StreamedSignature> {
  const hash = createHash('sha256');
  const signer = createSign('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) {
    hash.update(chunk as Buffer);
    signer.update(chunk as Buffer);
  }
  return { digest: hash.digest(), signature: signer.sign(key) };
}

export interface StreamedCheck { digest: Buffer; signatureValid: boolean }

/** Streams a file once: its SHA-256 and whether `signature` by `key` covers it. */
export async function hashAndVerify(path: string, key: KeyObject, signature: Buffer, signal?: AbortSignal): Promise<StreamedCheck> {
  const hash = createHash('sha256');
  const verifier = createVerify('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) {
    hash.update(chunk as Buffer);
    verifier.update(chunk as Buffer);
  }
  let signatureValid = false;
  try { signatureValid = verifier.verify(key, signature); } catch { signatureValid = false; }
  return { digest: hash.digest(), signatureValid };
}

/** The hint a key-mode bundle carries: base64 of the SHA-256 of the public key's SPKI DER. */
export function keyHint(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}
