/** Key mode: a local private key (PEM) signs; no Fulcio, no Rekor — for air-gapped builds. */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Witness } from '@sigstore/sign';
import { PublishError } from '../errors.js';
import { hashAndSign, keyHint } from './stream-sign.js';
import type { ArtifactSigner, SignedDigest, SigningKey } from './types.js';

export class KeySigner implements ArtifactSigner {
  readonly mode = 'key';
  readonly witnesses: readonly Witness[] = [];
  private readonly hint: string;

  private constructor(private readonly privateKey: KeyObject) {
    this.hint = keyHint(createPublicKey(privateKey));
  }

  /** Loads a PEM private key (EC P-256/P-384 or RSA); `passphrase` for encrypted keys. */
  static async fromFile(path: string, passphrase?: string): Promise<KeySigner> {
    let pem: string;
    try { pem = await readFile(path, 'utf8'); } catch (cause) {
      throw new PublishError('config', `--sign-key: cannot read ${path}`, { cause });
    }
    let key: KeyObject;
    try { key = createPrivateKey({ key: pem, passphrase }); } catch (cause) {
      throw new PublishError('config', `--sign-key: ${path} is not a PEM private key (or the passphrase is wrong)`, { cause });
    }
    // Ed25519 cannot sign a stream (no pre-hash variant in Node); large images must stream.
    if (key.asymmetricKeyType !== 'ec' && key.asymmetricKeyType !== 'rsa') {
      throw new PublishError('config', `--sign-key: ${key.asymmetricKeyType ?? 'unknown'} keys are not supported; use an EC P-256 key (openssl ecparam -name prime256v1 -genkey -noout)`);
    }
    return new KeySigner(key);
  }

  async signFile(path: string, signal?: AbortSignal): Promise<SignedDigest> {
    const { digest, signature } = await hashAndSign(path, this.privateKey, signal);
    return { digest, signature, key: { kind: 'public-key', hint: this.hint } };
  }

  owns(key: SigningKey): boolean {
    return key.kind === 'public-key' && key.hint === this.hint;
  }
}
