/** Key-mode signing and verify-signature, end to end through the real CLI. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MessageSignatureBundleBuilder } from '@sigstore/sign';
import { createPrivateKey, createPublicKey, sign as oneShotSign } from 'node:crypto';
import { runCli, tempDir } from '../helpers.js';
import { buildMini, cellDir, writeKeyPair } from './helpers.js';
import { Verifier, toSignedEntity } from '@sigstore/verify';
import { createBundle, parseBundle, serializeBundle } from '../../src/publish/sign/bundle.js';
import { KeySigner } from '../../src/publish/sign/key-signer.js';
import { keyHint } from '../../src/publish/sign/stream-sign.js';
import { verifyFileSignature } from '../../src/publish/sign/verify.js';

const SIGNED = ['build-manifest.json', 'cmdline', 'initrd.img', 'provenance.intoto.json', 'sbom.spdx.json', 'vmlinuz'];

test('publish --sign-key writes a v0.3 bundle beside every artifact; verify-signature accepts them; a re-publish keeps them', async () => {
  await using dir = await tempDir('pub-sign');
  const out = await buildMini(dir.path);
  const keys = await writeKeyPair(dir.path);
  const first = await runCli(['publish', '--out', out, '--sign-key', keys.privateKey]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /signed 6, kept 0/);
  const cell = cellDir(out);
  assert.deepEqual((await readdir(cell)).filter((f) => f.endsWith('.sigstore.json')).sort(), SIGNED.map((f) => `${f}.sigstore.json`));
  const bundle = JSON.parse(await readFile(join(cell, 'vmlinuz.sigstore.json'), 'utf8')) as { mediaType: string; messageSignature: { messageDigest: { algorithm: string; digest: string } } };
  assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  assert.equal(bundle.messageSignature.messageDigest.algorithm, 'SHA2_256');
  const before = await readFile(join(cell, 'vmlinuz.sigstore.json'));

  const ok = await runCli(['verify-signature', '--out', out, '--key', keys.publicKey]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((ok.stderr.match(/^OK /gm) ?? []).length, 6);

  const again = await runCli(['publish', '--out', out, '--sign-key', keys.privateKey]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /signed 0, kept 6/);
  assert.deepEqual(await readFile(join(cell, 'vmlinuz.sigstore.json')), before);
});

test('verify-signature fails on a modified artifact, on the wrong key, and names the file', async () => {
  await using dir = await tempDir('pub-sign-bad');
  const out = await buildMini(dir.path);
  const keys = await writeKeyPair(dir.path);
  const other = await writeKeyPair(dir.path, 'other');
  assert.equal((await runCli(['publish', '--out', out, '--sign-key', keys.privateKey])).code, 0);
  const wrongKey = await runCli(['verify-signature', join(cellDir(out), 'vmlinuz'), '--key', other.publicKey]);
  assert.equal(wrongKey.code, 1);
  assert.match(wrongKey.stderr, /FAIL .*vmlinuz: signature verification failed/);
  await appendFile(join(cellDir(out), 'cmdline'), ' quiet');
  const tampered = await runCli(['verify-signature', cellDir(out), '--key', keys.publicKey, '--json']);
  assert.equal(tampered.code, 1);
  assert.match(tampered.stderr, /FAIL .*cmdline: sha256 [0-9a-f]{64} is not the digest the bundle signs/);
  const results = JSON.parse(tampered.stdout) as { file: string; ok: boolean }[];
  assert.deepEqual(results.map((r) => [r.file.split('/').pop(), r.ok]), [['cmdline', false], ['initrd.img', true], ['sbom.spdx.json', true], ['vmlinuz', true], ['build-manifest.json', true], ['provenance.intoto.json', true]]);
  const usage = await runCli(['verify-signature', cellDir(out)]);
  assert.equal(usage.code, 2);
});

test('bundles interoperate with @sigstore/sign and @sigstore/verify used directly', async () => {
  await using dir = await tempDir('pub-sign-interop');
  const keys = await writeKeyPair(dir.path);
  const file = join(dir.path, 'blob.bin');
  const data = Buffer.alloc(3 * (1 << 20) + 17, 7);
  await writeFile(file, data);
  const privateKey = createPrivateKey(await readFile(keys.privateKey, 'utf8'));
  const publicKey = createPublicKey(privateKey);
  // A bundle made by the library's own builder (whole payload in memory) verifies by our streamed path.
  const builder = new MessageSignatureBundleBuilder({
    signer: { sign: (d: Buffer) => Promise.resolve({ signature: oneShotSign('sha256', d, privateKey), key: { $case: 'publicKey' as const, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), hint: keyHint(publicKey) } }) },
    witnesses: [],
  });
  await writeFile(`${file}.sigstore.json`, serializeBundle(await builder.create({ data })));
  const r = await verifyFileSignature(file, `${file}.sigstore.json`, { kind: 'key', publicKey });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  // And the other way: a bundle we stream-signed verifies through @sigstore/verify's own path.
  const ours = await KeySigner.fromFile(keys.privateKey);
  const bundle = await createBundle(await ours.signFile(file), []);
  const trust = { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [], publicKey: () => ({ publicKey, validFor: () => true }) };
  new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(toSignedEntity(parseBundle(serializeBundle(bundle)), data));
});
