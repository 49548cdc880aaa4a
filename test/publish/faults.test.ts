/**
 * Everything at once, with injected faults: a registry 500 on a blob, an S3 connection reset
 * mid-upload, a webhook receiver answering 503 twice. Publishing ends complete and consistent,
 * with exactly one webhook; an interrupted run before it sends none, and a re-run sends none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runCli, tempDir } from '../helpers.js';
import { buildMini, cellDir, forward, freePort, readBody, serve, writeKeyPair } from './helpers.js';
import { writeOciLayout } from './oci-fixture.js';
import { startRegistry } from './registry-server.js';
import { resettingProxy, S3_ENV, startS3 } from './s3-server.js';
import { startReleaseServer } from './release-server.js';
import { verifyWebhook } from '../../src/publish/index.js';

const SECRET = 'whsec-faults-a1b2c3d4e5f6';
const TOKEN = 'release-token-faults-778899';

/** Proxies to the registry; the first commit of any blob larger than 1 KiB gets a 500. */
async function registryWith500(registryHost: string) {
  let injected = 0;
  const server = await serve((req, res) => {
    if (injected === 0 && req.method === 'PUT' && (req.url ?? '').includes('/blobs/uploads/') && (req.url ?? '').includes('digest=')) {
      injected++;
      req.resume();
      res.statusCode = 500;
      res.end();
      return;
    }
    forward(req, res, registryHost);
  });
  return Object.assign(server, { injected: () => injected });
}

test('all destinations with injected faults end fully published with one webhook; an interrupted run sends none', async () => {
  await using dir = await tempDir('pub-faults');
  const out = await buildMini(dir.path);
  const keys = await writeKeyPair(dir.path);
  const layout = join(dir.path, 'oci');
  const indexDigest = await writeOciLayout(layout);
  const registry = await startRegistry(dir.path);
  const registryProxy = await registryWith500(registry.host);
  const s3 = await startS3(join(dir.path, 's3'), ['images']);
  const s3Proxy = await resettingProxy(s3.endpoint, { resets: 1, afterBytes: 6000 });
  const release = await startReleaseServer(TOKEN);
  const statuses = [503, 503];
  const deliveries: { delivery: string; status: number; body: Buffer; signature: string }[] = [];
  const receiver = await serve(async (req, res) => {
    const body = await readBody(req);
    const status = statuses.shift() ?? 200;
    deliveries.push({ delivery: String(req.headers['x-powernode-delivery']), status, body, signature: String(req.headers['x-powernode-signature']) });
    res.statusCode = status;
    res.end();
  });
  const env = { ...S3_ENV, POWERNODE_WEBHOOK_SECRET: SECRET, POWERNODE_RELEASE_TOKEN: TOKEN, POWERNODE_PUBLISH_RETRY_BASE_MS: '10' };
  const common = ['publish', '--out', out, '--sign-key', keys.privateKey, '--s3', 's3://images/pn', '--release', release.githubRepo, '--release-tag', 'v1', '--webhook', `${receiver.url}/api/v1/system/webhooks/disk_image_built`, '--oci-layout', layout, '--registry-insecure', '--json'];
  try {
    // Interrupted: S3 unreachable. Signing lands; no webhook.
    const dead = await runCli([...common, '--s3-endpoint', `http://127.0.0.1:${await freePort()}`], { env: { ...env, POWERNODE_PUBLISH_RETRY_BASE_MS: '1' } });
    assert.equal(dead.code, 1, dead.stderr);
    assert.equal(deliveries.length, 0);

    const r = await runCli([...common, '--registry', `${new URL(registryProxy.url).host}/pn/boot`, '--s3-endpoint', s3Proxy.endpoint], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(registryProxy.injected(), 1);
    assert.equal(s3Proxy.resetCount(), 1);
    assert.deepEqual(deliveries.map((d) => d.status), [503, 503, 200]);
    assert.equal(new Set(deliveries.map((d) => d.delivery)).size, 1);
    const last = deliveries[2];
    assert.ok(last);
    assert.ok(verifyWebhook({ secret: SECRET, body: last.body, header: last.signature }).ok);
    const payload = JSON.parse(last.body.toString()) as { oci_digest: string; artifacts: { path: string; urls: string[]; bundle_urls: string[] }[] };
    assert.equal(payload.oci_digest, indexDigest);
    const vmlinuz = payload.artifacts.find((a) => a.path === 'vmlinuz');
    assert.ok(vmlinuz);
    assert.ok(vmlinuz.urls.includes('s3://images/pn/kernel-initrd/amd64/vmlinuz'));
    assert.ok(vmlinuz.urls.some((u) => u.endsWith('/kernel-initrd-amd64-vmlinuz')));
    assert.equal(vmlinuz.bundle_urls.length, 2);

    // Consistent: every S3 object and release asset is what the cell holds.
    const c = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: S3_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: S3_ENV.AWS_SECRET_ACCESS_KEY } });
    for (const f of ['vmlinuz', 'initrd.img', 'cmdline', 'build-manifest.json', 'SHA256SUMS', 'vmlinuz.sigstore.json']) {
      const local = await readFile(join(cellDir(out), f));
      const got = await c.send(new GetObjectCommand({ Bucket: 'images', Key: `pn/kernel-initrd/amd64/${f}` }));
      const remote = Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
      assert.equal(createHash('sha256').update(remote).digest('hex'), createHash('sha256').update(local).digest('hex'), f);
      assert.deepEqual(release.releases[0]?.assets.find((a) => a.name === `kernel-initrd-amd64-${f}`)?.data, local, f);
    }
    c.destroy();
    const head = await fetch(`http://${registry.host}/v2/pn/boot/manifests/${indexDigest}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
    assert.equal(head.status, 200);

    // Same destinations (the proxies inject no more faults): nothing new anywhere, no webhook.
    const again = await runCli([...common, '--registry', `${new URL(registryProxy.url).host}/pn/boot`, '--s3-endpoint', s3Proxy.endpoint], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(deliveries.length, 3);
    const report = JSON.parse(again.stdout) as { oci: { blobsUploaded: number }; cells: { uploaded: { s3: number; release: number }; signed: number; webhook: { status: string } }[] };
    assert.equal(report.oci.blobsUploaded, 0);
    assert.deepEqual(report.cells.map((x) => [x.signed, x.uploaded.s3, x.uploaded.release, x.webhook.status]), [[0, 0, 0, 'already-delivered']]);
    for (const text of [dead.stderr, r.stderr, r.stdout, again.stderr, again.stdout]) {
      for (const secret of [SECRET, TOKEN, S3_ENV.AWS_SECRET_ACCESS_KEY]) assert.ok(!text.includes(secret), 'a secret leaked');
    }
  } finally {
    await receiver.close();
    await release.close();
    await s3Proxy.close();
    await s3.close();
    await registryProxy.close();
    await registry.close();
  }
});
