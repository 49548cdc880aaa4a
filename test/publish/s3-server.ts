/** s3rver on 127.0.0.1 for the tests, plus a TCP proxy that can reset a connection mid-upload. */
import { createRequire } from 'node:module';
import { connect, createServer, type Socket } from 'node:net';
import { freePort } from './helpers.js';

interface S3rverInstance { run(): Promise<unknown>; close(): Promise<void> }
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

export const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'pnib-aws-secret-9f8e7d6c5b4a', AWS_REGION: 'us-east-1' };

export async function startS3(directory: string, buckets: string[]): Promise<{ endpoint: string; close(): Promise<void> }> {
  const port = await freePort();
  const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, allowMismatchedSignatures: true, configureBuckets: buckets.map((name) => ({ name })) });
  await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/**
 * Forwards to `target`; the first `resets` connections that carry more than `afterBytes` from the
 * client are reset (RST) mid-stream, as a flaky network would.
 */
export async function resettingProxy(target: string, o: { resets: number; afterBytes: number }): Promise<{ endpoint: string; resetCount(): number; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  let resets = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client); sockets.add(upstream);
    let seen = 0;
    let armed = resets < o.resets;
    client.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (armed && seen > o.afterBytes) {
        armed = false;
        resets++;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => { if (!client.destroyed) client.write(chunk); });
    const end = (): void => { client.destroy(); upstream.destroy(); };
    client.on('error', end); upstream.on('error', end); client.on('close', end); upstream.on('close', end);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const addr = server.address();
  const p = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${p}`, resetCount: () => resets,
    close: () => new Promise<void>((res) => { for (const s of sockets) s.destroy(); server.close(() => { res(); }); }),
  };
}
