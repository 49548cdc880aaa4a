/** S3 upload against a real s3rver on 127.0.0.1: layout, verification, idempotency, resets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { runCli, tempDir } from '../helpers.js';
import { buildMini, cellDir, forward, serve, writeKeyPair } from './helpers.js';
import { resettingProxy, S3_ENV, startS3 } from './s3-server.js';
import { createS3Client } from '../../src/publish/s3/client.js';
import { putObject } from '../../src/publish/s3/upload.js';

function client(endpoint: string): S3Client {
  return new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: S3_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: S3_ENV.AWS_SECRET_ACCESS_KEY }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
}

async function objectSha256(c: S3Client, bucket: string, key: string): Promise<string> {
  const r = await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return createHash('sha256').update(Buffer.from(await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())).digest('hex');
}

test('publish --s3 uploads each cell file, its bundles and the OpenCHAMI layout; a re-publish uploads nothing', async () => {
  await using dir = await tempDir('pub-s3');
  const out = await buildMini(dir.path);
  const keys = await writeKeyPair(dir.path);
  const s3 = await startS3(join(dir.path, 's3'), ['images']);
  const c = client(s3.endpoint);
  try {
    const args = ['publish', '--out', out, '--sign-key', keys.privateKey, '--s3', 's3://images/builds/v1', '--s3-endpoint', s3.endpoint, '--verbose'];
    const first = await runCli(args, { env: S3_ENV });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /s3: 15 uploaded, 0 already there/);
    const listed = await c.send(new ListObjectsV2Command({ Bucket: 'images', Prefix: 'builds/v1/' }));
    const keysListed = (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
    const cell = 'builds/v1/kernel-initrd/amd64/';
    for (const f of ['SHA256SUMS', 'build-manifest.json', 'build-manifest.json.sigstore.json', 'cmdline', 'cmdline.sigstore.json', 'initrd.img', 'initrd.img.sigstore.json', 'vmlinuz', 'vmlinuz.sigstore.json']) {
      assert.ok(keysListed.includes(cell + f), `${cell}${f} missing: ${keysListed.join(', ')}`);
      const local = createHash('sha256').update(await readFile(join(cellDir(out), f))).digest('hex');
      assert.equal(await objectSha256(c, 'images', cell + f), local, f);
    }
    assert.ok(keysListed.includes('builds/v1/openchami/efi-images/kernel-initrd-amd64/vmlinuz-6.0.0-fixture'));
    assert.ok(keysListed.includes('builds/v1/openchami/efi-images/kernel-initrd-amd64/initramfs-6.0.0-fixture.img'));

    const again = await runCli(args, { env: S3_ENV });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /s3: 0 uploaded, 15 already there/);
    for (const text of [first.stderr, first.stdout, again.stderr]) assert.ok(!text.includes(S3_ENV.AWS_SECRET_ACCESS_KEY));
  } finally {
    c.destroy();
    await s3.close();
  }
});

test('a 20 MiB multipart upload survives a connection reset mid-upload and reads back intact', async () => {
  await using dir = await tempDir('pub-s3-reset');
  const s3 = await startS3(join(dir.path, 's3'), ['images']);
  const proxy = await resettingProxy(s3.endpoint, { resets: 2, afterBytes: 3 << 20 });
  const file = join(dir.path, 'big.img');
  const data = randomBytes(20 << 20);
  await writeFile(file, data);
  const sha256 = createHash('sha256').update(data).digest('hex');
  const saved = { ...process.env };
  Object.assign(process.env, S3_ENV);
  const c = createS3Client({ endpoint: proxy.endpoint, maxAttempts: 1 });
  const retries: string[] = [];
  try {
    const status = await putObject(c, { bucket: 'images', key: 'big/big.img', file, sha256, size: data.length }, { policy: { attempts: 5, baseMs: 10, maxMs: 50 }, onRetry: (r) => retries.push(r.error.code) });
    assert.equal(status, 'uploaded');
    assert.ok(proxy.resetCount() >= 1, 'the proxy reset no connection');
    assert.ok(retries.length >= 1 && retries.every((code) => code === 'network'), retries.join(','));
    const direct = client(s3.endpoint);
    assert.equal(await objectSha256(direct, 'images', 'big/big.img'), sha256);
    direct.destroy();
    const again = await putObject(c, { bucket: 'images', key: 'big/big.img', file, sha256, size: data.length }, { policy: { attempts: 2, baseMs: 10, maxMs: 50 } });
    assert.equal(again, 'exists');
  } finally {
    process.env = saved;
    c.destroy();
    await proxy.close();
    await s3.close();
  }
});

test('a multipart upload that keeps failing is aborted (AbortMultipartUpload sent): no orphaned parts left to bill', async () => {
  await using dir = await tempDir('pub-s3-abort');
  const s3 = await startS3(join(dir.path, 's3'), ['images']);
  // Every UploadPart gets a 500; everything else is forwarded. The requests are recorded.
  const seen: string[] = [];
  const proxy = await serve((req, res) => {
    const url = req.url ?? '/';
    seen.push(`${req.method ?? ''} ${url}`);
    if (req.method === 'PUT' && /[?&]partNumber=/.test(url)) {
      req.resume();
      req.on('end', () => { res.statusCode = 500; res.setHeader('content-type', 'application/xml'); res.end('<Error><Code>InternalError</Code><Message>injected</Message></Error>'); });
      return;
    }
    forward(req, res, new URL(s3.endpoint).host);
  });
  const file = join(dir.path, 'big.img');
  await writeFile(file, randomBytes(12 << 20));
  const saved = { ...process.env };
  Object.assign(process.env, S3_ENV);
  const c = createS3Client({ endpoint: proxy.url, maxAttempts: 1 });
  try {
    await assert.rejects(putObject(c, { bucket: 'images', key: 'big/abort.img', file, sha256: '0'.repeat(64), size: 12 << 20 }, { policy: { attempts: 2, baseMs: 10, maxMs: 20 } }));
    const created = seen.filter((r) => r.startsWith('POST /images/big/abort.img?uploads')).length;
    const aborted = seen.filter((r) => /^DELETE \/images\/big\/abort\.img\?.*uploadId=/.test(r)).length;
    assert.ok(created >= 1, seen.join('\n'));
    assert.equal(aborted, created, `every multipart upload started is aborted:\n${seen.join('\n')}`);
  } finally {
    process.env = saved;
    c.destroy();
    await proxy.close();
    await s3.close();
  }
});
