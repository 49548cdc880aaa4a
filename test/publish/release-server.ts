/**
 * A local stand-in for the Gitea/Forgejo and GitHub release APIs, implementing the endpoints
 * publishing uses as those APIs document them (no Gitea installs here). In-memory; checks the
 * token in each flavour's Authorization scheme.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, serve, type TestServer } from './helpers.js';

export interface FakeAsset { id: number; name: string; data: Buffer }
export interface FakeRelease { id: number; tag: string; assets: FakeAsset[] }

export interface ReleaseServer extends TestServer {
  releases: FakeRelease[];
  /** Requests seen, as "METHOD path". */
  log: string[];
  giteaRepo: string;
  githubRepo: string;
}

function multipartFile(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(.+)$/.exec(contentType)?.[1] ?? '';
  const start = body.indexOf('\r\n\r\n') + 4;
  const end = body.lastIndexOf(`\r\n--${boundary}--`);
  return body.subarray(start, end);
}

export async function startReleaseServer(token: string): Promise<ReleaseServer> {
  const releases: FakeRelease[] = [];
  const log: string[] = [];
  let nextId = 1;
  const json = (res: ServerResponse, status: number, body: unknown): void => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
  let base = '';
  const asJson = (a: FakeAsset, flavour: 'gitea' | 'github') => ({
    id: a.id, name: a.name, size: a.data.length, browser_download_url: `${base}/download/${a.id}/${a.name}`,
    ...(flavour === 'github' ? { digest: `sha256:${createHash('sha256').update(a.data).digest('hex')}` } : {}),
  });
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    log.push(`${req.method ?? ''} ${url.pathname}`);
    const dl = /^\/download\/(\d+)\//.exec(url.pathname);
    if (dl) {
      const asset = releases.flatMap((r) => r.assets).find((a) => a.id === Number(dl[1]));
      if (!asset) { json(res, 404, {}); return; }
      res.end(asset.data);
      return;
    }
    const m = /^(?:\/api\/v1(\/repos\/o\/r)|(\/repos\/o\/r)|\/uploads(\/repos\/o\/r))(\/.*)$/.exec(url.pathname);
    if (!m) { json(res, 404, { message: 'Not Found' }); return; }
    const flavour = m[1] ? 'gitea' : 'github';
    const expected = flavour === 'gitea' ? `token ${token}` : `Bearer ${token}`;
    if (req.headers.authorization !== expected) { json(res, 401, { message: 'Bad credentials' }); return; }
    const path = m[4] ?? '';
    const body = await readBody(req);
    const release = (id: string | undefined) => releases.find((r) => r.id === Number(id));
    let r: RegExpExecArray | null;
    if (req.method === 'GET' && (r = /^\/releases\/tags\/(.+)$/.exec(path))) {
      const found = releases.find((x) => x.tag === decodeURIComponent(r?.[1] ?? ''));
      if (found) json(res, 200, { id: found.id, tag_name: found.tag, upload_url: `${base}/uploads/repos/o/r/releases/${found.id}/assets{?name,label}` }); else json(res, 404, { message: 'Not Found' });
    } else if (req.method === 'POST' && path === '/releases') {
      const { tag_name } = JSON.parse(body.toString()) as { tag_name: string };
      const created: FakeRelease = { id: nextId++, tag: tag_name, assets: [] };
      releases.push(created);
      json(res, 201, { id: created.id, tag_name, upload_url: `${base}/uploads/repos/o/r/releases/${created.id}/assets{?name,label}` });
    } else if (req.method === 'GET' && (r = /^\/releases\/(\d+)\/assets$/.exec(path))) {
      json(res, 200, (release(r[1])?.assets ?? []).map((a) => asJson(a, flavour)));
    } else if (req.method === 'POST' && (r = /^\/releases\/(\d+)\/assets$/.exec(path))) {
      const rel = release(r[1]);
      const name = url.searchParams.get('name') ?? '';
      if (!rel) { json(res, 404, {}); return; }
      if (rel.assets.some((a) => a.name === name)) { json(res, 422, { message: 'already_exists' }); return; }
      const data = flavour === 'gitea' ? multipartFile(body, req.headers['content-type'] ?? '') : body;
      const asset = { id: nextId++, name, data };
      rel.assets.push(asset);
      json(res, 201, asJson(asset, flavour));
    } else if (req.method === 'DELETE' && (r = /^\/releases\/(?:\d+\/)?assets\/(\d+)$/.exec(path))) {
      for (const rel of releases) rel.assets = rel.assets.filter((a) => a.id !== Number(r?.[1]));
      res.statusCode = 204; res.end();
    } else {
      json(res, 404, { message: `no route ${req.method ?? ''} ${path}` });
    }
  };
  const server = await serve(handler);
  base = server.url;
  return Object.assign(server, { releases, log, giteaRepo: `${server.url}/api/v1/repos/o/r`, githubRepo: `${server.url}/repos/o/r` });
}
