/** Publish option resolution: flags over a config file, secrets only from env, all problems at once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { resolvePublishConfig } from '../../src/publish/config.js';
import { Redactor } from '../../src/publish/secrets.js';
import { backoffMs } from '../../src/publish/retry.js';

const common = { out: '/tmp/out', selection: { arches: [], variants: [] } };

test('a config file supplies options, flags override it, secrets come from env or *_FILE and are redacted', async () => {
  await using dir = await tempDir('pub-config');
  const file = join(dir.path, 'publish.yaml');
  await writeFile(file, 's3: s3://bucket/from-file\nwebhook: https://platform.example/api/v1/system/webhooks/disk_image_built\nrelease: https://git.example/api/v1/repos/o/r\nrelease-tag: v1\n');
  await writeFile(join(dir.path, 'token'), 'tok-from-file-1234\n');
  const redactor = new Redactor();
  const r = resolvePublishConfig({ 'publish-config': file, s3: 's3://bucket/from-flag' }, common, { POWERNODE_WEBHOOK_SECRET: 'sekret-value-42', POWERNODE_RELEASE_TOKEN_FILE: join(dir.path, 'token') }, redactor);
  assert.ok(r.ok, r.ok ? '' : r.error.join('\n'));
  assert.deepEqual(r.value.s3?.location, { bucket: 'bucket', prefix: 'from-flag' });
  assert.equal(r.value.release?.token, 'tok-from-file-1234');
  assert.equal(r.value.webhook?.secret, 'sekret-value-42');
  assert.equal(redactor.redact('x sekret-value-42 y tok-from-file-1234'), 'x *** y ***');
});

test('every problem is reported at once, and a secret in the config file is refused', async () => {
  await using dir = await tempDir('pub-config-bad');
  const file = join(dir.path, 'publish.yaml');
  await writeFile(file, 'webhook-secret: oops\n');
  const r = resolvePublishConfig({ 'publish-config': file, webhook: 'not a url', release: 'https://x.example/repos/o/r', registry: 'Bad Registry', 'sign-key': 'k.pem', keyless: true, s3: 'http://nope' }, common, {}, new Redactor());
  assert.ok(!r.ok);
  const text = r.error.join('\n');
  for (const expected of [/webhook-secret: unknown option/, /--webhook: not a URL/, /--release: also pass --release-tag/, /--registry: expected HOST\[:PORT\]\/REPO/, /--sign-key and --keyless: choose one/, /--s3: expected s3:\/\/bucket/]) {
    assert.match(text, expected);
  }
});

test('backoff is full jitter under a doubling, capped ceiling', () => {
  const policy = { attempts: 5, baseMs: 100, maxMs: 1000 };
  assert.equal(backoffMs(policy, 1, () => 0.999), 99);
  assert.equal(backoffMs(policy, 3, () => 0.5), 200);
  assert.equal(backoffMs(policy, 10, () => 0.999), 999);
  assert.equal(backoffMs(policy, 2, () => 0), 0);
});
