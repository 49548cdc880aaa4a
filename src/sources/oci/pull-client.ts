/**
 * The read side of the OCI distribution spec: manifests by tag or digest, blobs streamed to disk
 * and checked against their digest. Authentication reuses the publish client's challenge
 * answering (Basic, or a Bearer token for `repository:<name>:pull`).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { answerChallenge, parseChallenge, type Credentials } from '../../publish/oci/auth.js';
import type { OciReference, SourceFailure } from '../types.js';
import { err, ok, type Result } from '../../util/result.js';

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

export interface FetchedManifest { mediaType: string; digest: string; bytes: Buffer }

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const failure = (code: SourceFailure['code'], message: string, cause?: unknown): SourceFailure => ({ code, message, ...(cause === undefined ? {} : { cause }) });

export class PullClient {
  private authorization: string | undefined;
  private readonly base: string;

  constructor(private readonly ref: OciReference, private readonly signal: AbortSignal, private readonly credentials?: Credentials) {
    this.base = `${ref.insecure ? 'http' : 'https'}://${ref.registry}/v2/${ref.repository}`;
  }

  private async get(path: string, accept?: string): Promise<Result<Response, SourceFailure>> {
    const send = (): Promise<Response> => fetch(`${this.base}${path}`, {
      signal: this.signal, redirect: 'follow',
      headers: { ...(accept ? { accept } : {}), ...(this.authorization ? { authorization: this.authorization } : {}) },
    });
    try {
      let res = await send();
      if (res.status === 401) {
        await res.body?.cancel();
        const challenge = parseChallenge(res.headers.get('www-authenticate'));
        const answer = challenge && await answerChallenge(challenge, this.credentials, `repository:${this.ref.repository}:pull`, this.signal);
        if (answer) { this.authorization = answer; res = await send(); }
      }
      if (res.ok) return ok(res);
      const body = (await res.text().catch(() => '')).trim().slice(0, 200);
      return err(failure('registry', `GET ${this.ref.registry}/v2/${this.ref.repository}${path}: HTTP ${res.status}${body ? ` (${body})` : ''}`));
    } catch (cause) {
      return err(failure('registry', `GET ${this.ref.registry}/v2/${this.ref.repository}${path}: ${cause instanceof Error ? cause.message : String(cause)}`, cause));
    }
  }

  /** A manifest or index; when `reference` is a digest, its bytes must hash to it. */
  async manifest(reference: string): Promise<Result<FetchedManifest, SourceFailure>> {
    const res = await this.get(`/manifests/${reference}`, MANIFEST_TYPES.join(', '));
    if (!res.ok) return res;
    const bytes = Buffer.from(await res.value.arrayBuffer());
    const digest = sha256(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) return err(failure('integrity', `manifest ${reference}: the registry sent bytes hashing to ${digest}`));
    const declared = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType;
    const mediaType = declared ?? res.value.headers.get('content-type')?.split(';')[0] ?? '';
    return ok({ mediaType, digest, bytes });
  }

  /** Streams a blob to `file` (staged, renamed into place only when the digest matches). */
  async blobToFile(digest: string, file: string): Promise<Result<number, SourceFailure>> {
    const res = await this.get(`/blobs/${digest}`);
    if (!res.ok) return res;
    const body = res.value.body;
    if (!body) return err(failure('registry', `blob ${digest}: empty response`));
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.part-${process.pid}`;
    const hash = createHash('sha256');
    let size = 0;
    const tee = new Transform({ transform(chunk: Buffer, _e, cb) { hash.update(chunk); size += chunk.length; cb(null, chunk); } });
    try {
      await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), tee, createWriteStream(tmp), { signal: this.signal });
      const got = `sha256:${hash.digest('hex')}`;
      if (got !== digest) return err(failure('integrity', `blob ${digest}: the registry sent ${size} bytes hashing to ${got}`));
      await rename(tmp, file);
      return ok(size);
    } catch (cause) {
      return err(failure('registry', `blob ${digest}: download failed: ${cause instanceof Error ? cause.message : String(cause)}`, cause));
    } finally {
      await rm(tmp, { force: true });
    }
  }
}
