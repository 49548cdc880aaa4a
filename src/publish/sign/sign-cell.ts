/**
 * Signs every artifact of a cell and its build-manifest.json, writing `<file>.sigstore.json`
 * beside each. A bundle already there that covers the same bytes with this signer's key is kept,
 * so a second publish changes nothing (and uploads nothing new).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUNDLE_SUFFIX, MANIFEST_FILE, signedFiles, type Cell } from '../cells.js';
import { PublishError, toPublishError } from '../errors.js';
import { sha256OfFile } from '../hash-file.js';
import { bundleSubject, createBundle, parseBundle, serializeBundle } from './bundle.js';
import type { ArtifactSigner } from './types.js';

export interface SignOutcome {
  /** Path relative to the cell. */
  path: string;
  bundle: string;
  status: 'signed' | 'kept';
}

/** The expected sha256 of a signed file: from the manifest for artifacts, hashed for the manifest. */
async function expectedDigest(cell: Cell, rel: string): Promise<string> {
  const artifact = cell.manifest.artifacts.find((a) => a.path === rel);
  return artifact && rel !== MANIFEST_FILE ? artifact.sha256 : (await sha256OfFile(join(cell.dir, rel))).sha256;
}

async function reusable(bundlePath: string, digestHex: string, signer: ArtifactSigner): Promise<boolean> {
  let text: string;
  try { text = await readFile(bundlePath, 'utf8'); } catch { return false; }
  try {
    const subject = bundleSubject(parseBundle(text));
    return subject !== undefined && subject.digest.toString('hex') === digestHex && signer.owns(subject.key);
  } catch {
    return false; // unreadable bundle: sign again
  }
}

export async function signCell(cell: Cell, signer: ArtifactSigner, options: { signal?: AbortSignal; publicKeyPem?: string } = {}): Promise<SignOutcome[]> {
  const outcomes: SignOutcome[] = [];
  for (const rel of signedFiles(cell)) {
    const file = join(cell.dir, rel);
    const bundlePath = file + BUNDLE_SUFFIX;
    if (await reusable(bundlePath, await expectedDigest(cell, rel), signer)) {
      outcomes.push({ path: rel, bundle: rel + BUNDLE_SUFFIX, status: 'kept' });
      continue;
    }
    let text: string;
    try {
      const signed = await signer.signFile(file, options.signal);
      text = serializeBundle(await createBundle(signed, signer.witnesses, options.publicKeyPem));
    } catch (cause) {
      if (cause instanceof PublishError) throw cause;
      const wrapped = toPublishError(cause, `sign ${rel}`);
      throw wrapped.code === 'aborted' ? wrapped : new PublishError('sign', `sign ${rel}: ${wrapped.message}`, { cause });
    }
    // Write beside, then rename: a bundle is never half-written.
    const tmp = `${bundlePath}.${process.pid}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, bundlePath);
    outcomes.push({ path: rel, bundle: rel + BUNDLE_SUFFIX, status: 'signed' });
  }
  return outcomes;
}
