/**
 * Test-only: a small valid OCI image layout (oci-layout, index.json, blobs/sha256/...) holding a
 * multi-arch image index with amd64 and arm64 manifests, OCI media types only; and layouts shaped
 * like one oci cell. Small stand-ins for publishing tests (the real cells are built by the slow tests).
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function blob(dir: string, bytes: Buffer, mediaType: string): Promise<{ mediaType: string; digest: string; size: number }> {
  await writeFile(join(dir, 'blobs', 'sha256', sha(bytes)), bytes);
  return { mediaType, digest: `sha256:${sha(bytes)}`, size: bytes.length };
}

/** A one-file ustar archive (enough for a layer that tools can read). */
function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write('0000644\0', 100); header.write('0000000\0', 108); header.write('0000000\0', 116);
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write('14000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257); header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

/** One arch's image (a one-file layer, its config and manifest) in `dir`; returns the manifest's descriptor. */
async function archImage(dir: string, arch: string, payloadBytes: number): Promise<{ mediaType: string; digest: string; size: number; platform: { architecture: string; os: string } }> {
  const payload = Buffer.alloc(payloadBytes, arch);
  const layer = await blob(dir, gzipSync(tarOf(`boot/${arch}.img`, payload), { level: 9 }), 'application/vnd.oci.image.layer.v1.tar+gzip');
  const config = await blob(dir, Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [`sha256:${sha(tarOf(`boot/${arch}.img`, payload))}`] }, config: {} })), 'application/vnd.oci.image.config.v1+json');
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] }));
  return { ...(await blob(dir, manifest, 'application/vnd.oci.image.manifest.v1+json')), platform: { architecture: arch, os: 'linux' } };
}

async function writeIndexJson(dir: string, manifests: unknown[]): Promise<void> {
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
}

/** Writes the layout; returns the index digest. `layerBytes` sizes the amd64 layer's payload. */
export async function writeOciLayout(dir: string, o: { layerBytes?: number } = {}): Promise<string> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const manifests = [];
  for (const arch of ['amd64', 'arm64']) manifests.push(await archImage(dir, arch, arch === 'amd64' ? (o.layerBytes ?? 4096) : 1024));
  const index = await blob(dir, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests })), 'application/vnd.oci.image.index.v1+json');
  await writeIndexJson(dir, [{ ...index, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }]);
  return index.digest;
}

/** A layout shaped like one oci cell: index.json names this arch's manifest (ref name = the arch). Returns its digest. */
export async function writeArchLayout(dir: string, arch: string, payloadBytes = 1024): Promise<string> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const manifest = await archImage(dir, arch, payloadBytes);
  await writeIndexJson(dir, [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': arch } }]);
  return manifest.digest;
}
