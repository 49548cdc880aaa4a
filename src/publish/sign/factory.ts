/** The one place that picks the signing adapter for a run. */
import { assertNever } from '../../util/result.js';
import type { SignConfig } from '../types.js';
import { KeySigner } from './key-signer.js';
import { KeylessSigner } from './keyless-signer.js';
import type { ArtifactSigner } from './types.js';

export async function createSigner(config: SignConfig, signal?: AbortSignal): Promise<ArtifactSigner> {
  switch (config.mode) {
    case 'key': return KeySigner.fromFile(config.keyFile, config.passphrase);
    case 'keyless': return KeylessSigner.create({ fulcioUrl: config.fulcioUrl, rekorUrl: config.rekorUrl, identityToken: config.identityToken, signal });
    default: return assertNever(config, 'sign mode');
  }
}
