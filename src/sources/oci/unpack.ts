/**
 * Applies an image's layers, in order, to a directory: each layer's whiteouts first (they only
 * hide what lower layers put there), then its members with GNU tar (hard links, symlinks,
 * device nodes, owners, modes, xattrs; gzip and zstd layers recognised by tar itself).
 * tar runs in a bubblewrap sandbox where only the target tree is writable, so a symlink from a
 * lower layer (`etc -> /etc`) cannot carry a write out onto the build host.
 * The result is cached by manifest digest: built in a staging directory, renamed into place.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Executor } from '../../exec/types.js';
import { formatExecFailure } from '../../exec/format.js';
import { applyWhiteout, findWhiteouts, unescapeTarName } from './whiteouts.js';
import type { PulledImage, SourceFailure } from '../types.js';
import { err, ok, type Result } from '../../util/result.js';

export interface UnpackOptions { executor: Executor; signal: AbortSignal }

export const rootDir = (cacheDir: string, manifestDigest: string): string => join(cacheDir, 'oci', 'roots', manifestDigest.slice('sha256:'.length));

/** The tar extraction of one layer into `root`, sandboxed. Pure. */
export function extractArgv(layer: string, root: string): string[] {
  return [
    'bwrap', '--ro-bind', '/', '/', '--bind', root, root, '--dev-bind', '/dev', '/dev', '--cap-add', 'ALL', '--unshare-pid', '--die-with-parent', '--',
    'tar', '-x', '-f', layer, '-C', root, '--numeric-owner', '--same-owner', '--same-permissions',
    '--xattrs', '--xattrs-include=*', '--exclude=.wh.*',
  ];
}

async function applyLayer(layer: PulledImage['layers'][number], root: string, o: UnpackOptions): Promise<Result<void, SourceFailure>> {
  const listed = await o.executor.run({ argv: ['tar', '-t', '-f', layer.file, '--quoting-style=escape'], captureStdout: true, purpose: `list layer ${layer.digest}` }, { signal: o.signal });
  if (!listed.ok) return err({ code: 'unpack', message: formatExecFailure(listed.error), cause: listed.error });
  const members = listed.value.stdout.split('\n').filter((l) => l !== '').map(unescapeTarName);
  for (const w of findWhiteouts(members)) await applyWhiteout(root, w);
  const x = await o.executor.run({ argv: extractArgv(layer.file, root), purpose: `apply layer ${layer.digest}`, hint: 'layers are applied as root (owners and device nodes); check free space' }, { signal: o.signal });
  return x.ok ? ok(undefined) : err({ code: 'unpack', message: formatExecFailure(x.error), cause: x.error });
}

/** The image's tree under the cache, made once per manifest digest. */
export async function unpackImage(image: PulledImage, cacheDir: string, o: UnpackOptions): Promise<Result<{ root: string; cached: boolean }, SourceFailure>> {
  const root = rootDir(cacheDir, image.manifestDigest);
  if (await stat(root).then((s) => s.isDirectory(), () => false)) return ok({ root, cached: true });
  const staging = `${root}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true, mode: 0o755 });
  try {
    for (const layer of image.layers) {
      const r = await applyLayer(layer, staging, o);
      if (!r.ok) return r;
    }
    await rename(staging, root);
    return ok({ root, cached: false });
  } catch (cause) {
    return err({ code: 'io', message: `unpack ${image.pinned}: ${cause instanceof Error ? cause.message : String(cause)}`, cause });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
