/**
 * `--from` / `base:`: a directory, or `oci://registry/repo[:tag][@digest]` pulled, unpacked and
 * cached by digest. Returns the tree and what to record about where it came from.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Executor } from '../exec/types.js';
import { ociPlatform } from './oci/platform.js';
import { pullImage } from './oci/pull.js';
import { parseOciReference } from './oci/reference.js';
import { unpackImage } from './oci/unpack.js';
import type { ResolvedSource, SourceFailure } from './types.js';
import { err, ok, type Result } from '../util/result.js';

export interface ResolveOptions {
  cacheDir: string;
  /** Debian architecture of the cell (default: the host's). */
  arch: string | undefined;
  executor: Executor;
  signal: AbortSignal;
  log?: (line: string) => void;
}

const hostArch = (): string => (process.arch === 'x64' ? 'amd64' : process.arch);

export async function resolveSource(from: string, o: ResolveOptions): Promise<Result<ResolvedSource, SourceFailure>> {
  if (!from.startsWith('oci://')) {
    const root = resolve(from);
    const isDir = await stat(root).then((s) => s.isDirectory(), () => false);
    return isDir ? ok({ root, record: { type: 'dir', path: root } }) : err({ code: 'reference', message: `--from ${from}: not a directory (or an oci:// reference)` });
  }
  const ref = parseOciReference(from, (process.env.POWERNODE_INSECURE_REGISTRIES ?? '').split(',').filter(Boolean));
  if (!ref.ok) return err({ code: 'reference', message: ref.error });
  const image = await pullImage(ref.value, from, { cacheDir: o.cacheDir, platform: ociPlatform(o.arch ?? hostArch()), signal: o.signal, log: o.log });
  if (!image.ok) return image;
  const tree = await unpackImage(image.value, o.cacheDir, { executor: o.executor, signal: o.signal });
  if (!tree.ok) return tree;
  const { reference, pinned, digest, manifestDigest, platform, configDigest } = image.value;
  return ok({ root: tree.value.root, record: { type: 'oci', reference, pinned, digest, manifest_digest: manifestDigest, config_digest: configDigest, platform, layers: image.value.layers.map((l) => l.digest) } });
}
