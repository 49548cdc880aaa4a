/** Keyless signing against @sigstore/mock's Fulcio and Rekor served over HTTP on 127.0.0.1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { buildMini, cellDir } from './helpers.js';
import { fakeIdToken, ISSUER, startSigstoreMock } from './sigstore-mock.js';

test('publish --keyless gets a Fulcio certificate and Rekor entries; verify-signature checks identity and issuer', async () => {
  await using dir = await tempDir('pub-keyless');
  const out = await buildMini(dir.path);
  const mock = await startSigstoreMock();
  try {
    const token = fakeIdToken('builder@example.test');
    const root = join(dir.path, 'trusted_root.json');
    await writeFile(root, JSON.stringify(mock.trustedRoot));
    const r = await runCli(['publish', '--out', out, '--keyless', '--fulcio-url', mock.url, '--rekor-url', mock.url], { env: { SIGSTORE_ID_TOKEN: token } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /signed 6, kept 0/);
    assert.equal(mock.requests.filter((q) => q.endsWith('/api/v2/signingCert')).length, 1);
    assert.equal(mock.requests.filter((q) => q.endsWith('/api/v1/log/entries')).length, 6);
    const bundleText = await readFile(join(cellDir(out), 'initrd.img.sigstore.json'), 'utf8');
    const bundle = JSON.parse(bundleText) as { verificationMaterial: { certificate?: unknown; tlogEntries: unknown[] } };
    assert.ok(bundle.verificationMaterial.certificate);
    assert.equal(bundle.verificationMaterial.tlogEntries.length, 1);
    assert.ok(!bundleText.includes(token) && !r.stderr.includes(token));

    const ok = await runCli(['verify-signature', '--out', out, '--identity', 'builder@example.test', '--issuer', ISSUER, '--trusted-root', root]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((ok.stderr.match(/^OK .*\(builder@example\.test\)$/gm) ?? []).length, 6);
    const wrong = await runCli(['verify-signature', join(cellDir(out), 'vmlinuz'), '--identity', 'someone@else.test', '--issuer', ISSUER, '--trusted-root', root]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /FAIL .*vmlinuz/);
    const again = await runCli(['publish', '--out', out, '--keyless', '--fulcio-url', mock.url, '--rekor-url', mock.url], { env: { SIGSTORE_ID_TOKEN: token } });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /signed 0, kept 6/);
  } finally {
    await mock.close();
  }
});
