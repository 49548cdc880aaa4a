/** Webhook: HMAC signatures, verifyWebhook, retries against a real receiver that fails first. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { buildMini, readBody, serve } from './helpers.js';
import { signWebhook, verifyWebhook } from '../../src/publish/index.js';
import { deliverWebhook } from '../../src/publish/webhook/deliver.js';

const SECRET = 'whsec-test-0123456789abcdef';

test('verifyWebhook accepts a signed body and rejects tampering, replay and malformed headers', () => {
  const body = '{"a":1}';
  const now = 1_800_000_000;
  const header = signWebhook(SECRET, body, now);
  assert.match(header, /^t=1800000000,v1=[0-9a-f]{64}$/);
  assert.deepEqual(verifyWebhook({ secret: SECRET, body, header, now }), { ok: true, value: { timestamp: now } });
  assert.deepEqual(verifyWebhook({ secret: SECRET, body: Buffer.from(body), header, now: now + 299 }), { ok: true, value: { timestamp: now } });
  assert.deepEqual(verifyWebhook({ secret: SECRET, body: '{"a":2}', header, now }), { ok: false, error: 'mismatch' });
  assert.deepEqual(verifyWebhook({ secret: 'other-secret', body, header, now }), { ok: false, error: 'mismatch' });
  assert.deepEqual(verifyWebhook({ secret: SECRET, body, header, now: now + 301 }), { ok: false, error: 'expired' });
  assert.deepEqual(verifyWebhook({ secret: SECRET, body, header: undefined, now }), { ok: false, error: 'malformed' });
  assert.deepEqual(verifyWebhook({ secret: SECRET, body, header: 'v1=abc', now }), { ok: false, error: 'malformed' });
  // Secret rotation: several v1 entries, any one may match.
  const rotated = `${header},v1=${signWebhook('old-secret', body, now).split('v1=')[1] ?? ''}`;
  assert.equal(verifyWebhook({ secret: 'old-secret', body, header: rotated, now }).ok, true);
});

interface Received { delivery: string; event: string; signature: string; body: Buffer }

/** A receiver that answers `failures` with 503 first, then 204; records every request. */
async function receiver(statuses: number[]) {
  const requests: Received[] = [];
  const server = await serve(async (req, res) => {
    const body = await readBody(req);
    requests.push({ delivery: String(req.headers['x-powernode-delivery']), event: String(req.headers['x-powernode-event']), signature: String(req.headers['x-powernode-signature']), body });
    res.statusCode = statuses.shift() ?? 204;
    res.end();
  });
  return { server, requests };
}

test('deliverWebhook retries 503 and 429 with the same delivery id and gives up on 4xx', async () => {
  const { server, requests } = await receiver([503, 429, 200]);
  try {
    const r = await deliverWebhook({ url: `${server.url}/hook`, secret: SECRET, body: '{"x":1}', policy: { attempts: 5, baseMs: 5, maxMs: 20 } });
    assert.equal(r.attempts, 3);
    assert.equal(new Set(requests.map((q) => q.delivery)).size, 1);
    for (const q of requests) assert.equal(verifyWebhook({ secret: SECRET, body: q.body, header: q.signature }).ok, true);
    requests.length = 0;
  } finally {
    await server.close();
  }
  const bad = await receiver([400, 400]);
  try {
    await assert.rejects(deliverWebhook({ url: `${bad.server.url}/hook`, secret: SECRET, body: '{}', policy: { attempts: 5, baseMs: 5, maxMs: 20 } }), (e: Error & { code?: string }) => e.code === 'http' && /HTTP 400/.test(e.message));
    assert.equal(bad.requests.length, 1);
  } finally {
    await bad.server.close();
  }
});

test('publish --webhook: receiver fails twice, one signed delivery lands; a re-publish sends nothing; the secret leaks nowhere', async () => {
  await using dir = await tempDir('pub-webhook');
  const out = await buildMini(dir.path);
  const { server, requests } = await receiver([503, 503]);
  try {
    const secretFile = join(dir.path, 'secret');
    await writeFile(secretFile, `${SECRET}\n`);
    const env = { POWERNODE_WEBHOOK_SECRET_FILE: secretFile, POWERNODE_PUBLISH_RETRY_BASE_MS: '10' };
    const url = `${server.url}/api/v1/system/webhooks/disk_image_built`;
    const first = await runCli(['publish', '--out', out, '--webhook', url, '--json', '--verbose'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(requests.length, 3);
    assert.equal(new Set(requests.map((q) => q.delivery)).size, 1);
    const last = requests[2];
    assert.ok(last);
    assert.equal(last.event, 'disk_image_built');
    assert.equal(verifyWebhook({ secret: SECRET, body: last.body, header: last.signature }).ok, true);
    const payload = JSON.parse(last.body.toString()) as Record<string, unknown> & { artifacts: { path: string; sha256: string; fsverity_root_hash: string; size: number }[] };
    assert.equal(payload.format, 1);
    assert.equal(payload.event, 'disk_image_built');
    assert.equal(payload.variant, 'kernel-initrd');
    assert.equal(payload.arch, 'amd64');
    assert.match(String(payload.build_id), /^[0-9a-f]{64}$/);
    assert.deepEqual(payload.artifacts.map((a) => a.path), ['cmdline', 'initrd.img', 'sbom.spdx.json', 'vmlinuz']);
    for (const a of payload.artifacts) { assert.match(a.sha256, /^[0-9a-f]{64}$/); assert.match(a.fsverity_root_hash, /^[0-9a-f]{64}$/); }

    const again = await runCli(['publish', '--out', out, '--webhook', url], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already delivered/);
    assert.equal(requests.length, 3);

    const everything = [first.stdout, first.stderr, again.stderr];
    for (const f of await readdir(out, { recursive: true })) {
      everything.push(await readFile(join(out, f), 'utf8').catch(() => ''));
    }
    for (const text of everything) assert.ok(!text.includes(SECRET), 'secret leaked');
  } finally {
    await server.close();
  }
});

test('publish --webhook without a secret is a usage error; a failing receiver fails the publish without leaking the secret', async () => {
  await using dir = await tempDir('pub-webhook-bad');
  const out = await buildMini(dir.path);
  const missing = await runCli(['publish', '--out', out, '--webhook', 'http://127.0.0.1:9/hook'], { env: { POWERNODE_WEBHOOK_SECRET: '' } });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /POWERNODE_WEBHOOK_SECRET/);
  const { server } = await receiver([500, 500, 500, 500, 500]);
  try {
    const r = await runCli(['publish', '--out', out, '--webhook', `${server.url}/hook?token=${SECRET}`, '--verbose'], { env: { POWERNODE_WEBHOOK_SECRET: SECRET, POWERNODE_PUBLISH_RETRY_BASE_MS: '1' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /publish failed \[http\]: webhook http:\/\/127\.0\.0\.1:\d+\/hook: HTTP 500/);
    assert.ok(!r.stderr.includes(SECRET));
  } finally {
    await server.close();
  }
});
