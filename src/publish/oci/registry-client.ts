/**
 * A small client of the OCI distribution spec over fetch: blob HEAD, cross-repo mount, chunked
 * upload (POST, PATCH..., PUT ?digest=), manifests by digest or tag, referrers. Methods throw
 * PublishError; retrying is the caller's policy.
 */
import { open } from 'node:fs/promises';
import { httpError, PublishError, toPublishError } from '../errors.js';
import { answerChallenge, parseChallenge, type Credentials } from './auth.js';
import { SECRET_ENV } from '../config.js';
import type { Descriptor, LocalBlob } from './types.js';

/** Upload chunk: bounded memory whatever the blob size. */
const CHUNK_BYTES = 8 << 20;

export interface RegistryTarget { host: string; repository: string; insecure: boolean; credentials: Credentials | undefined }

export function parseRepository(ref: string): { host: string; repository: string } {
  const slash = ref.indexOf('/');
  return { host: ref.slice(0, slash), repository: ref.slice(slash + 1) };
}

export class RegistryClient {
  private readonly base: string;
  private authorization: string | undefined;

  constructor(private readonly target: RegistryTarget, private readonly signal?: AbortSignal) {
    this.base = `${target.insecure ? 'http' : 'https'}://${target.host}`;
  }

  get reference(): string { return `${this.target.host}/${this.target.repository}`; }

  /** One request; answers a 401 challenge once and retries with the credential it got. */
  private async request(method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    const send = (): Promise<Response> => fetch(url, {
      method, body: init.body, signal: this.signal, redirect: 'follow',
      headers: { ...init.headers, ...(this.authorization ? { authorization: this.authorization } : {}) },
    });
    try {
      let res = await send();
      if (res.status === 401) {
        const challenge = parseChallenge(res.headers.get('www-authenticate'));
        await res.body?.cancel();
        const answer = challenge && await answerChallenge(challenge, this.target.credentials, `repository:${this.target.repository}:pull,push`, this.signal);
        if (answer) { this.authorization = answer; res = await send(); }
        if (res.status === 401) {
          await res.body?.cancel();
          throw new PublishError('config', this.target.credentials
            ? `registry ${this.target.host} refused the credentials from ${SECRET_ENV.registryUsername}/${SECRET_ENV.registryPassword} (HTTP 401 on ${method} ${new URL(url).pathname})`
            : `registry ${this.target.host} requires authentication (HTTP 401 on ${method} ${new URL(url).pathname}): set ${SECRET_ENV.registryUsername} and ${SECRET_ENV.registryPassword} (or their _FILE forms)`);
        }
      }
      return res;
    } catch (cause) {
      throw toPublishError(cause, `registry ${method} ${this.target.host}${new URL(url).pathname}`);
    }
  }

  private async expect(res: Response, what: string, statuses: readonly number[]): Promise<Response> {
    if (statuses.includes(res.status)) return res;
    throw httpError(`${what} (${this.reference})`, res, await res.text().catch(() => ''));
  }

  private path(kind: 'blobs' | 'manifests' | 'referrers', ref = ''): string {
    return `/v2/${this.target.repository}/${kind}/${ref}`;
  }

  async hasBlob(digest: string): Promise<boolean> {
    const res = await this.request('HEAD', this.path('blobs', digest));
    if (res.status === 404) return false;
    await this.expect(res, `HEAD blob ${digest}`, [200]);
    return true;
  }

  async hasManifest(digest: string, mediaType: string): Promise<boolean> {
    const res = await this.request('HEAD', this.path('manifests', digest), { headers: { accept: mediaType } });
    if (res.status === 404) return false;
    await this.expect(res, `HEAD manifest ${digest}`, [200]);
    return true;
  }

  /** Cross-repository mount; true when the registry mounted it (else an upload is needed). */
  async mountBlob(digest: string, fromRepository: string): Promise<boolean> {
    const res = await this.request('POST', `${this.path('blobs', 'uploads/')}?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`);
    await res.body?.cancel();
    return res.status === 201;
  }

  /** Chunked upload: POST opens a session, PATCH sends ranges, PUT ?digest= commits. */
  async uploadBlob(blob: LocalBlob): Promise<void> {
    const what = `upload blob ${blob.digest}`;
    let res = await this.expect(await this.request('POST', this.path('blobs', 'uploads/')), what, [202]);
    await res.body?.cancel();
    let location = this.location(res, what);
    const fh = await open(blob.file, 'r');
    try {
      for (let offset = 0; offset < blob.size; offset += CHUNK_BYTES) {
        const length = Math.min(CHUNK_BYTES, blob.size - offset);
        const chunk = Buffer.alloc(length);
        await fh.read(chunk, 0, length, offset);
        res = await this.expect(await this.request('PATCH', location, {
          body: chunk, headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + length - 1}`, 'content-length': String(length) },
        }), what, [202]);
        await res.body?.cancel();
        location = this.location(res, what);
      }
    } finally {
      await fh.close();
    }
    const sep = location.includes('?') ? '&' : '?';
    res = await this.expect(await this.request('PUT', `${location}${sep}digest=${encodeURIComponent(blob.digest)}`, { headers: { 'content-length': '0' } }), what, [201]);
    await res.body?.cancel();
  }

  private location(res: Response, what: string): string {
    const loc = res.headers.get('location');
    if (!loc) throw new PublishError('http', `${what}: registry sent no Location`, { retryable: true });
    return new URL(loc, this.base).toString();
  }

  /** PUT a manifest; returns the registry's answer headers (Docker-Content-Digest, OCI-Subject). */
  async putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<Headers> {
    const res = await this.expect(await this.request('PUT', this.path('manifests', reference), { body: bytes, headers: { 'content-type': mediaType } }), `PUT manifest ${reference}`, [201]);
    await res.body?.cancel();
    return res.headers;
  }

  /** GET a manifest's exact bytes, or undefined on 404. */
  async getManifest(reference: string, accept: string): Promise<Buffer | undefined> {
    const res = await this.request('GET', this.path('manifests', reference), { headers: { accept } });
    if (res.status === 404) { await res.body?.cancel(); return undefined; }
    await this.expect(res, `GET manifest ${reference}`, [200]);
    return Buffer.from(await res.arrayBuffer());
  }

  /** The referrers API; undefined when the registry has none (404), as docker-registry 2.8. */
  async referrers(digest: string): Promise<Descriptor[] | undefined> {
    const res = await this.request('GET', this.path('referrers', digest), { headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
    if (res.status === 404) { await res.body?.cancel(); return undefined; }
    await this.expect(res, `GET referrers ${digest}`, [200]);
    return ((await res.json()) as { manifests?: Descriptor[] }).manifests ?? [];
  }
}
