/**
 * Loads what verification trusts: a public key (key mode) or a Sigstore trusted root JSON
 * (Fulcio CAs, Rekor and CT log keys) for keyless bundles.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { PublishError } from '../errors.js';

/** A PEM public key, or a private key (its public half is used). */
export async function loadPublicKey(path: string): Promise<KeyObject> {
  let pem: string;
  try { pem = await readFile(path, 'utf8'); } catch (cause) {
    throw new PublishError('config', `--key: cannot read ${path}`, { cause });
  }
  try { return createPublicKey(pem); } catch (cause) {
    throw new PublishError('config', `--key: ${path} holds no PEM public key`, { cause });
  }
}

/** A trusted_root.json (the format `cosign trusted-root create` and TUF distribute). */
export async function loadTrustedRoot(path: string): Promise<TrustMaterial> {
  try {
    return toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(await readFile(path, 'utf8'))));
  } catch (cause) {
    throw new PublishError('config', `--trusted-root: ${path} is not a Sigstore trusted root`, { cause });
  }
}
