/**
 * The release REST APIs, Gitea/Forgejo and GitHub, behind one small interface: get a release by
 * tag, create it, list, upload and delete assets. The flavour is chosen once from the URL
 * (`.../api/v1/repos/OWNER/REPO` is Gitea/Forgejo; `api.github.com/repos/...` or `/api/v3/` is
 * GitHub). Uploads stream the file.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { httpError, toPublishError } from '../errors.js';

export interface Release { id: number; uploadUrl: string | undefined; htmlUrl: string | undefined }
export interface Asset { id: number; name: string; size: number; downloadUrl: string; digest: string | undefined }

export type Flavour = 'gitea' | 'github';

export function flavourOf(url: string): Flavour {
  const u = new URL(url);
  return u.pathname.includes('/api/v1/repos/') ? 'gitea' : 'github';
}

export class ReleaseApi {
  readonly flavour: Flavour;
  constructor(private readonly repoUrl: string, private readonly token: string | undefined, private readonly signal?: AbortSignal) {
    this.flavour = flavourOf(repoUrl);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const auth: Record<string, string> = this.token ? { authorization: this.flavour === 'gitea' ? `token ${this.token}` : `Bearer ${this.token}` } : {};
    const gh: Record<string, string> = this.flavour === 'github' ? { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' } : { accept: 'application/json' };
    return { ...gh, ...auth, ...extra };
  }

  private async call(method: string, url: string, what: string, init: { body?: string | ReadableStream; headers?: Record<string, string>; ok?: number[] } = {}): Promise<Response> {
    let res: Response;
    try {
      // A streamed body needs duplex 'half' (undici), which RequestInit's type does not list.
      const streamed = init.body instanceof ReadableStream ? { duplex: 'half' as const } : {};
      res = await fetch(url, { method, body: init.body, headers: this.headers(init.headers), signal: this.signal, ...streamed });
    } catch (cause) {
      throw toPublishError(cause, `${what} ${new URL(url).origin}`);
    }
    if ((init.ok ?? [200]).includes(res.status)) return res;
    throw httpError(`${what} ${new URL(url).origin}${new URL(url).pathname}`, res, await res.text().catch(() => ''));
  }

  private static release(j: { id: number; upload_url?: string; html_url?: string }): Release {
    return { id: j.id, uploadUrl: j.upload_url?.replace(/\{.*\}$/, ''), htmlUrl: j.html_url };
  }

  async releaseByTag(tag: string): Promise<Release | undefined> {
    const res = await this.call('GET', `${this.repoUrl}/releases/tags/${encodeURIComponent(tag)}`, 'get release', { ok: [200, 404] });
    if (res.status === 404) { await res.body?.cancel(); return undefined; }
    return ReleaseApi.release(await res.json() as { id: number });
  }

  async createRelease(tag: string): Promise<Release> {
    const res = await this.call('POST', `${this.repoUrl}/releases`, 'create release', {
      body: JSON.stringify({ tag_name: tag, name: tag, draft: false, prerelease: false }), headers: { 'content-type': 'application/json' }, ok: [201],
    });
    return ReleaseApi.release(await res.json() as { id: number });
  }

  async assets(release: Release): Promise<Asset[]> {
    const res = await this.call('GET', `${this.repoUrl}/releases/${release.id}/assets?per_page=100&limit=100`, 'list assets');
    const list = await res.json() as { id: number; name: string; size: number; browser_download_url: string; digest?: string | null }[];
    return list.map((a) => ({ id: a.id, name: a.name, size: a.size, downloadUrl: a.browser_download_url, digest: a.digest ?? undefined }));
  }

  async deleteAsset(release: Release, asset: Asset): Promise<void> {
    const url = this.flavour === 'gitea' ? `${this.repoUrl}/releases/${release.id}/assets/${asset.id}` : `${this.repoUrl}/releases/assets/${asset.id}`;
    await (await this.call('DELETE', url, 'delete asset', { ok: [204, 404] })).body?.cancel();
  }

  /** Uploads a file as `name`: raw body for GitHub, multipart `attachment` for Gitea. Streamed. */
  async upload(release: Release, name: string, file: string, size: number): Promise<Asset> {
    const what = `upload asset ${name}`;
    let res: Response;
    if (this.flavour === 'github') {
      const base = release.uploadUrl ?? `${this.repoUrl}/releases/${release.id}/assets`;
      res = await this.call('POST', `${base}?name=${encodeURIComponent(name)}`, what, {
        body: Readable.toWeb(createReadStream(file)), headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) }, ok: [201],
      });
    } else {
      const boundary = `pnib-${Date.now().toString(16)}`;
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const body = Readable.from((async function* () { yield head; yield* createReadStream(file); yield tail; })());
      res = await this.call('POST', `${this.repoUrl}/releases/${release.id}/assets?name=${encodeURIComponent(name)}`, what, {
        body: Readable.toWeb(body) as ReadableStream, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + size + tail.length) }, ok: [201],
      });
    }
    const a = await res.json() as { id: number; name: string; size: number; browser_download_url: string; digest?: string | null };
    return { id: a.id, name: a.name, size: a.size, downloadUrl: a.browser_download_url, digest: a.digest ?? undefined };
  }

  /** Streams an asset back (for comparing contents); the token goes only to the API's origin. */
  async download(asset: Asset): Promise<AsyncIterable<Uint8Array>> {
    const sameOrigin = new URL(asset.downloadUrl).origin === new URL(this.repoUrl).origin;
    let res: Response;
    try {
      res = await fetch(asset.downloadUrl, { headers: sameOrigin ? this.headers({ accept: 'application/octet-stream' }) : {}, signal: this.signal });
    } catch (cause) {
      throw toPublishError(cause, `download asset ${asset.name}`);
    }
    if (!res.ok || !res.body) throw httpError(`download asset ${asset.name}`, res);
    return res.body;
  }
}
