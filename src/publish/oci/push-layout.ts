/**
 * Pushes an OCI image layout (the oci cell: a multi-arch index) to a registry: blobs first
 * (HEAD, then mount or chunked upload), manifests children-first, the index last, then a
 * read-back by digest; then the image's Sigstore bundle and SBOM as referrers. Each blob and
 * manifest is retried on its own, so a 500 on one blob costs one blob.
 */
import { mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishError } from '../errors.js';
import { withRetry, type OnRetry, type RetryPolicy } from '../retry.js';
import { bundleSubject, createBundle, parseBundle, serializeBundle } from '../sign/bundle.js';
import type { ArtifactSigner } from '../sign/types.js';
import type { Logger, RegistryConfig } from '../types.js';
import { artifactManifest, EMPTY_CONFIG, registerReferrer } from './attach.js';
import { digestOf, readLayout } from './layout.js';
import { parseRepository, RegistryClient } from './registry-client.js';
import { MEDIA, type Descriptor, type LocalBlob, type LocalManifest } from './types.js';

export interface OciPushResult {
  /** Digest of the pushed top-level index (or manifest). */
  digest: string;
  /** `host/repo@digest` */
  reference: string;
  blobsUploaded: number;
  /** Blobs the registry mounted from --oci-mount-from instead of an upload. */
  blobsMounted: number;
  blobsExisting: number;
  /** Attached referrers and how they are found. */
  attached: { artifactType: string; digest: string; via: 'api' | 'tag' }[];
}

export interface OciPushOptions { policy: RetryPolicy; signal?: AbortSignal; onRetry?: OnRetry; log: Logger; signer?: ArtifactSigner }

/** Bundle of the pushed image kept in the layout dir, reused while it still covers that digest. */
export const IMAGE_BUNDLE = 'image.sigstore.json';
const SBOM_FILES = [['sbom.spdx.json', MEDIA.spdx], ['sbom.cdx.json', MEDIA.cyclonedx]] as const;

async function pushBlob(client: RegistryClient, blob: LocalBlob, mountFrom: string | undefined): Promise<'exists' | 'mounted' | 'uploaded'> {
  if (await client.hasBlob(blob.digest)) return 'exists';
  if (mountFrom && await client.mountBlob(blob.digest, mountFrom)) return 'mounted';
  await client.uploadBlob(blob);
  return 'uploaded';
}

async function pushManifest(client: RegistryClient, m: LocalManifest, reference = m.digest): Promise<Headers | undefined> {
  if (reference === m.digest && await client.hasManifest(m.digest, m.mediaType)) return undefined;
  return client.putManifest(reference, m.mediaType, m.bytes);
}

async function imageBundle(layoutDir: string, top: LocalManifest, signer: ArtifactSigner, work: string, signal?: AbortSignal): Promise<Buffer> {
  const path = join(layoutDir, IMAGE_BUNDLE);
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing) {
    const subject = bundleSubject(parseBundle(existing));
    if (subject && `sha256:${subject.digest.toString('hex')}` === top.digest && signer.owns(subject.key)) return Buffer.from(existing);
  }
  const file = join(work, 'top.json');
  await writeFile(file, top.bytes);
  const text = serializeBundle(await createBundle(await signer.signFile(file, signal), signer.witnesses));
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
  return Buffer.from(text);
}

export async function pushOciLayout(reg: RegistryConfig, o: OciPushOptions): Promise<OciPushResult> {
  const layout = await readLayout(reg.layout);
  const { host, repository } = parseRepository(reg.repository);
  const credentials = reg.username && reg.password ? { username: reg.username, password: reg.password } : undefined;
  const client = new RegistryClient({ host, repository, insecure: reg.insecure, credentials }, o.signal);
  const retry = <T>(what: string, fn: () => Promise<T>): Promise<T> =>
    withRetry(fn, { policy: o.policy, signal: o.signal, onRetry: o.onRetry, toError: (e) => (e instanceof PublishError ? e : new PublishError('network', `${what}: ${String(e)}`, { cause: e, retryable: true })) });
  const result: OciPushResult = { digest: layout.top.digest, reference: `${client.reference}@${layout.top.digest}`, blobsUploaded: 0, blobsMounted: 0, blobsExisting: 0, attached: [] };
  for (const blob of layout.blobs) {
    const status = await retry(`blob ${blob.digest}`, () => pushBlob(client, blob, reg.mountFrom));
    if (status === 'uploaded') result.blobsUploaded++; else if (status === 'mounted') result.blobsMounted++; else result.blobsExisting++;
  }
  for (const m of layout.manifests) await retry(`manifest ${m.digest}`, () => pushManifest(client, m));
  if (reg.tag) await retry(`tag ${reg.tag}`, () => pushManifest(client, layout.top, reg.tag));
  const back = await retry('read-back', () => client.getManifest(layout.top.digest, layout.top.mediaType));
  if (!back || digestOf(back) !== layout.top.digest) throw new PublishError('integrity', `${result.reference}: read-back does not match the pushed index`);
  o.log(`oci: ${result.reference} (${result.blobsUploaded} blob(s) uploaded, ${result.blobsMounted} mounted, ${result.blobsExisting} already there)`);
  const work = await mkdtemp(join(tmpdir(), 'pnib-oci-'));
  try {
    const attachments: [string, Buffer][] = [];
    if (o.signer) attachments.push([MEDIA.sigstoreBundle, await imageBundle(layout.dir, layout.top, o.signer, work, o.signal)]);
    for (const [name, mediaType] of SBOM_FILES) {
      if (await stat(join(layout.dir, name)).then(() => true, () => false)) attachments.push([mediaType, await readFile(join(layout.dir, name))]);
    }
    for (const [artifactType, bytes] of attachments) {
      result.attached.push(await attach(client, layout.top, artifactType, bytes, work, retry));
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return result;
}

async function attach(
  client: RegistryClient, subject: Descriptor, artifactType: string, bytes: Buffer, work: string,
  retry: <T>(what: string, fn: () => Promise<T>) => Promise<T>,
): Promise<{ artifactType: string; digest: string; via: 'api' | 'tag' }> {
  const layer: LocalBlob = { mediaType: artifactType, digest: digestOf(bytes), size: bytes.length, file: join(work, digestOf(bytes).slice(7)) };
  const config: LocalBlob = { mediaType: MEDIA.empty, digest: digestOf(EMPTY_CONFIG), size: EMPTY_CONFIG.length, file: join(work, 'empty.json') };
  await writeFile(layer.file, bytes);
  await writeFile(config.file, EMPTY_CONFIG);
  for (const b of [config, layer]) await retry(`blob ${b.digest}`, () => pushBlob(client, b, undefined));
  const layerDescriptor: Descriptor = { mediaType: layer.mediaType, digest: layer.digest, size: layer.size };
  const manifest = artifactManifest(subject, artifactType, layerDescriptor, { 'org.opencontainers.image.title': artifactType === MEDIA.sigstoreBundle ? IMAGE_BUNDLE : 'sbom' });
  const headers = await retry(`artifact ${manifest.digest}`, () => client.putManifest(manifest.digest, manifest.mediaType, manifest.bytes));
  const via = await retry(`referrers of ${subject.digest}`, () => registerReferrer(client, subject, manifest, headers.has('oci-subject')));
  return { artifactType, digest: manifest.digest, via };
}
