/** Helpers for the publish tests: a built fixture cell, keys, free ports, tiny HTTP servers. */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, runCli } from '../helpers.js';

export const MINI = join(FIXTURES, 'mini');

/** Builds test/fixtures/mini (amd64) into `<dir>/out`; returns the out root. */
export async function buildMini(dir: string): Promise<string> {
  const out = join(dir, 'out');
  const r = await runCli(['--project', MINI, '--out', out, '--cache-dir', join(dir, 'cache'), '--arch', 'amd64']);
  if (r.code !== 0) throw new Error(`fixture build failed: ${r.stderr}`);
  return out;
}

export const cellDir = (out: string): string => join(out, 'kernel-initrd', 'amd64');

/** An EC P-256 key pair as PEM files. */
export async function writeKeyPair(dir: string, name = 'cosign'): Promise<{ privateKey: string; publicKey: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const paths = { privateKey: join(dir, `${name}.key`), publicKey: join(dir, `${name}.pub`) };
  await writeFile(paths.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(paths.publicKey, publicKey.export({ type: 'spki', format: 'pem' }));
  return paths;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createNetServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => { res(port); });
    });
  });
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export interface TestServer { url: string; server: Server; close(): Promise<void> }

/** A node HTTP server on 127.0.0.1:<free port>. */
/** Passes a request on to `hostPort` (`127.0.0.1:PORT`) and its answer back: the pass-through of the fault-injecting proxies. */
export function forward(req: IncomingMessage, res: ServerResponse, hostPort: string): void {
  const [host, port] = hostPort.split(':');
  const upstream = request({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  upstream.on('error', () => { res.statusCode = 502; res.end(); });
  req.pipe(upstream);
}

export async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<TestServer> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((e: unknown) => { res.statusCode = 500; res.end(String(e)); });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`, server,
    close: () => new Promise<void>((res) => { server.closeAllConnections(); server.close(() => { res(); }); }),
  };
}
