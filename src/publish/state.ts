/**
 * What a publish already did, per cell, kept outside the cell directory (a rebuild replaces that
 * whole): `<out>/.publish/<variant>/<arch>.json`. Only the webhook needs memory — uploads check
 * the remote itself — so the state records the digest of the last body delivered. Format 1.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stableStringify } from '../util/stable-json.js';

export interface PublishState {
  format: 1;
  /** sha256 of the webhook body last delivered successfully. */
  webhook_body_sha256: string | null;
  /** Its delivery id, reused if the same body must be sent again. */
  webhook_delivery_id: string | null;
  delivered_at: string | null;
}

const EMPTY: PublishState = { format: 1, webhook_body_sha256: null, webhook_delivery_id: null, delivered_at: null };

export function statePath(outRoot: string, variant: string, arch: string): string {
  return join(outRoot, '.publish', variant, `${arch}.json`);
}

export async function readState(path: string): Promise<PublishState> {
  try {
    const s = JSON.parse(await readFile(path, 'utf8')) as Partial<PublishState>;
    return s.format === 1 ? { ...EMPTY, ...s } : EMPTY;
  } catch {
    return EMPTY;
  }
}

export async function writeState(path: string, state: PublishState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, stableStringify(state, 2) + '\n');
  await rename(tmp, path);
}
