/**
 * Test-only: OCI images made from directory trees (layer tars by the OCI recipe in FACTS.md,
 * with xattrs), written as an OCI layout and pushed to a registry with our publish client.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pushOciLayout } from '../../src/publish/oci/push-layout.js';
import { run } from './fixtures.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const SDE = 1_700_000_000;

export interface ImageSpec { arch: string; layers: string[] }

async function blob(dir: string, bytes: Buffer, mediaType: string): Promise<{ mediaType: string; digest: string; size: number }> {
  await writeFile(join(dir, 'blobs', 'sha256', sha(bytes)), bytes);
  return { mediaType, digest: `sha256:${sha(bytes)}`, size: bytes.length };
}

/** A reproducible gzipped layer tar of `tree`. */
export async function layerTar(tree: string, out: string): Promise<Buffer> {
  await run(['tar', '--sort=name', `--mtime=@${SDE}`, '--clamp-mtime', '--numeric-owner', '--xattrs', '--xattrs-include=*',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime', '--format=posix', '-C', tree, '-cf', out, '.']);
  await run(['gzip', '-n', '-f', out]);
  return readFile(`${out}.gz`);
}

/** Writes an OCI layout holding an index of one image per spec; returns the layout dir. */
export async function writeImageLayout(dir: string, images: readonly ImageSpec[]): Promise<string> {
  const layout = join(dir, 'layout');
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  const manifests = [];
  for (const img of images) {
    const layers = [];
    const diffIds = [];
    for (const [i, tree] of img.layers.entries()) {
      const gz = await layerTar(tree, join(dir, `${img.arch}-layer${i}.tar`));
      diffIds.push(`sha256:${sha(gunzipSync(gz))}`);
      layers.push(await blob(layout, gz, 'application/vnd.oci.image.layer.v1.tar+gzip'));
    }
    const config = await blob(layout, Buffer.from(JSON.stringify({ architecture: img.arch, os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds }, config: {} })), 'application/vnd.oci.image.config.v1+json');
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers }));
    manifests.push({ ...(await blob(layout, manifest, 'application/vnd.oci.image.manifest.v1+json')), platform: { architecture: img.arch, os: 'linux' } });
  }
  const index = await blob(layout, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests })), 'application/vnd.oci.image.index.v1+json');
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [index] }));
  return layout;
}

/** Pushes the layout as `host/repository:tag`; returns the index digest. */
export async function pushImage(host: string, repository: string, tag: string, layout: string): Promise<string> {
  const r = await pushOciLayout(
    { repository: `${host}/${repository}`, insecure: true, layout, derived: false, mountFrom: undefined, tag, username: undefined, password: undefined },
    { policy: { attempts: 1, baseMs: 10, maxMs: 10 }, log: () => undefined },
  );
  return r.digest;
}
