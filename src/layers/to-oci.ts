/**
 * A built layer as an OCI image layout, so a child layer (or anyone) can name it as
 * `parent: oci://...`. The image is flattened: one layer holding the whole tree, packed by the
 * reproducible tar recipe, so the same tree always gives the same manifest digest. Pushing
 * is the publish code's job (pushOciLayout).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { join } from 'node:path';
import type { Executor } from '../exec/types.js';
import { formatExecFailure } from '../exec/format.js';
import { packImageArgv } from '../sources/oci-rootfs.js';
import { ociPlatform } from '../sources/oci/platform.js';
import type { LayerFailure } from './types.js';
import { stableStringify } from '../util/stable-json.js';
import { err, ok, type Result } from '../util/result.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function putBlob(layout: string, bytes: Buffer, mediaType: string): Promise<{ mediaType: string; digest: string; size: number }> {
  await writeFile(join(layout, 'blobs', 'sha256', sha256(bytes)), bytes);
  return { mediaType, digest: `sha256:${sha256(bytes)}`, size: bytes.length };
}

export interface LayerImage { layout: string; digest: string }

export async function writeLayerLayout(
  root: string, layout: string, o: { name: string; arch: string; sourceDateEpoch: number; executor: Executor; signal: AbortSignal },
): Promise<Result<LayerImage, LayerFailure>> {
  await rm(layout, { recursive: true, force: true });
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  const tar = join(layout, 'layer.tar');
  for (const [argv, purpose] of [[packImageArgv(root, tar, o.sourceDateEpoch), `pack layer ${o.name}`], [['gzip', '-n', '-9', '-f', tar], `compress layer ${o.name}`]] as const) {
    const r = await o.executor.run({ argv, purpose, env: { LC_ALL: 'C.UTF-8' } }, { signal: o.signal });
    if (!r.ok) return err({ code: 'exec', message: formatExecFailure(r.error), cause: r.error });
  }
  // Hashed by streaming (compressed: the blob digest; uncompressed: the diff_id), never read whole.
  const gz = `${tar}.gz`;
  const blob = createHash('sha256');
  const diff = createHash('sha256');
  let size = 0;
  await pipeline(createReadStream(gz), new Transform({ transform(c: Buffer, _e, cb) { blob.update(c); size += c.length; cb(null, c); } }), createGunzip(),
    new Writable({ write(c: Buffer, _e, cb) { diff.update(c); cb(); } }), { signal: o.signal });
  const hex = blob.digest('hex');
  await rename(gz, join(layout, 'blobs', 'sha256', hex));
  const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${hex}`, size };
  const platform = ociPlatform(o.arch);
  const created = new Date(o.sourceDateEpoch * 1000).toISOString();
  const config = await putBlob(layout, Buffer.from(stableStringify({
    architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}), created,
    config: { Labels: { 'org.opencontainers.image.title': o.name } }, rootfs: { type: 'layers', diff_ids: [`sha256:${diff.digest('hex')}`] },
  })), 'application/vnd.oci.image.config.v1+json');
  const manifest = await putBlob(layout, Buffer.from(stableStringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] })), 'application/vnd.oci.image.manifest.v1+json');
  const index = await putBlob(layout, Buffer.from(stableStringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ ...manifest, platform }] })), 'application/vnd.oci.image.index.v1+json');
  await writeFile(join(layout, 'oci-layout'), stableStringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(layout, 'index.json.tmp'), stableStringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [index] }));
  await rename(join(layout, 'index.json.tmp'), join(layout, 'index.json'));
  return ok({ layout, digest: index.digest });
}
