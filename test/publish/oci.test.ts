/** OCI push against a real docker-registry on 127.0.0.1, read back with skopeo. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { buildMini, forward, serve, writeKeyPair, type TestServer } from './helpers.js';
import { writeArchLayout, writeOciLayout } from './oci-fixture.js';
import { startRegistry } from './registry-server.js';
import { verifyFileSignature } from '../../src/publish/sign/verify.js';

const REPO = 'powernode/boot';

async function getJson(host: string, path: string, accept = 'application/vnd.oci.image.index.v1+json'): Promise<Record<string, unknown>> {
  const res = await fetch(`http://${host}${path}`, { headers: { accept } });
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

/** Forwards to the registry; answers 500 to the first commit (PUT ?digest=) of `failDigest`. */
async function faultyProxy(registryHost: string, failDigest: string): Promise<TestServer & { failures: () => number }> {
  let failures = 0;
  const server = await serve((req, res) => {
    const url = req.url ?? '/';
    if (failures === 0 && req.method === 'PUT' && url.includes(`digest=${encodeURIComponent(failDigest)}`)) {
      failures++;
      req.resume();
      req.on('end', () => { res.statusCode = 500; res.end('{"errors":[{"code":"UNKNOWN","message":"injected"}]}'); });
      return;
    }
    forward(req, res, registryHost);
  });
  return Object.assign(server, { failures: () => failures });
}

test('publish --registry pushes the multi-arch index, attaches the signature via the sha256-<hex> tag; skopeo reads it back', async () => {
  await using dir = await tempDir('pub-oci');
  const out = await buildMini(dir.path);
  const layout = join(dir.path, 'oci-layout');
  const indexDigest = await writeOciLayout(layout);
  const keys = await writeKeyPair(dir.path);
  const registry = await startRegistry(dir.path);
  try {
    const args = ['publish', '--out', out, '--sign-key', keys.privateKey, '--registry', `${registry.host}/${REPO}`, '--registry-insecure', '--oci-layout', layout, '--oci-tag', 'v1', '--json'];
    const first = await runCli(args);
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout) as { oci: { digest: string; reference: string; blobsUploaded: number; attached: { artifactType: string; digest: string; via: string }[] } };
    assert.equal(report.oci.digest, indexDigest);
    assert.equal(report.oci.blobsUploaded, 4);
    assert.deepEqual(report.oci.attached.map((a) => [a.artifactType, a.via]), [['application/vnd.dev.sigstore.bundle.v0.3+json', 'tag']]);

    const ref = `docker://${registry.host}/${REPO}@${indexDigest}`;
    const raw = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', ref]);
    const local = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(local.manifests[0]?.digest, indexDigest);
    const index = JSON.parse(raw.toString()) as { manifests: { platform: { architecture: string } }[] };
    assert.deepEqual(index.manifests.map((m) => m.platform.architecture), ['amd64', 'arm64']);
    const inspected = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', '--override-arch', 'arm64', ref]).toString()) as { Architecture: string };
    assert.equal(inspected.Architecture, 'arm64');
    execFileSync('skopeo', ['copy', '--all', '--src-tls-verify=false', ref, `oci:${join(dir.path, 'copy')}:x`], { stdio: 'pipe' });
    const tagged = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/${REPO}:v1`]);
    assert.deepEqual(tagged, raw);

    // Referrers fallback: docker-registry 2.8 has no referrers API.
    const referrers = await getJson(registry.host, `/v2/${REPO}/manifests/${indexDigest.replace(':', '-')}`) as { manifests: { digest: string; artifactType: string }[] };
    assert.equal(referrers.manifests.length, 1);
    const artifact = await getJson(registry.host, `/v2/${REPO}/manifests/${referrers.manifests[0]?.digest ?? ''}`, 'application/vnd.oci.image.manifest.v1+json') as { subject: { digest: string }; layers: { digest: string }[]; artifactType: string };
    assert.equal(artifact.subject.digest, indexDigest);
    const bundle = Buffer.from(await (await fetch(`http://${registry.host}/v2/${REPO}/blobs/${artifact.layers[0]?.digest ?? ''}`)).arrayBuffer());
    await writeFile(join(dir.path, 'index.bin'), raw);
    await writeFile(join(dir.path, 'index.bin.sigstore.json'), bundle);
    const verified = await verifyFileSignature(join(dir.path, 'index.bin'), join(dir.path, 'index.bin.sigstore.json'), { kind: 'key', publicKey: createPublicKey(await readFile(keys.publicKey, 'utf8')) });
    assert.ok(verified.ok, verified.ok ? '' : verified.error.message);

    const again = await runCli(args);
    assert.equal(again.code, 0, again.stderr);
    const second = JSON.parse(again.stdout) as typeof report;
    assert.equal(second.oci.blobsUploaded, 0);
    assert.equal(second.oci.attached[0]?.digest, report.oci.attached[0]?.digest);
    const after = await getJson(registry.host, `/v2/${REPO}/manifests/${indexDigest.replace(':', '-')}`) as { manifests: unknown[] };
    assert.equal(after.manifests.length, 1);

    // Another repository on the same registry: blobs are mounted, not uploaded again.
    const mirror = await runCli(['publish', '--out', out, '--registry', `${registry.host}/powernode/mirror`, '--registry-insecure', '--oci-layout', layout, '--oci-mount-from', REPO, '--json']);
    assert.equal(mirror.code, 0, mirror.stderr);
    const mirrored = JSON.parse(mirror.stdout) as { oci: { blobsUploaded: number; blobsMounted: number } };
    assert.deepEqual([mirrored.oci.blobsUploaded, mirrored.oci.blobsMounted], [0, 4]);
    execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/powernode/mirror@${indexDigest}`]);
  } finally {
    await registry.close();
  }
});

test('a registry 500 on one blob is retried and the push completes', async () => {
  await using dir = await tempDir('pub-oci-fault');
  const out = await buildMini(dir.path);
  const layout = join(dir.path, 'oci-layout');
  await writeOciLayout(layout, { layerBytes: 9 << 20 });
  const amd64Manifest = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const index = JSON.parse(await readFile(join(layout, 'blobs/sha256', (amd64Manifest.manifests[0]?.digest ?? '').slice(7)), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(await readFile(join(layout, 'blobs/sha256', (index.manifests[0]?.digest ?? '').slice(7)), 'utf8')) as { layers: { digest: string }[] };
  const layerDigest = manifest.layers[0]?.digest ?? '';
  const registry = await startRegistry(dir.path);
  const proxy = await faultyProxy(registry.host, layerDigest);
  try {
    const host = new URL(proxy.url).host;
    const r = await runCli(['publish', '--out', out, '--registry', `${host}/${REPO}`, '--registry-insecure', '--oci-layout', layout], { env: { POWERNODE_PUBLISH_RETRY_BASE_MS: '10' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(proxy.failures(), 1);
    assert.match(r.stderr, /retry after attempt 1 \(upload blob sha256:[0-9a-f]+ \([^)]*\): HTTP 500/);
    execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/${REPO}@${amd64Manifest.manifests[0]?.digest ?? ''}`]);
    const head = await fetch(`http://${registry.host}/v2/${REPO}/blobs/${layerDigest}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
  } finally {
    await proxy.close();
    await registry.close();
  }
});

test('publish --registry without --oci-layout pushes the index over the oci cells under <out>/oci; none there is a clear error', async () => {
  await using dir = await tempDir('pub-oci-cells');
  const out = await buildMini(dir.path);
  const registry = await startRegistry(dir.path);
  try {
    const args = ['publish', '--out', out, '--registry', `${registry.host}/${REPO}`, '--registry-insecure', '--json'];
    const none = await runCli(args);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /no oci cells under .*\/oci \(build the oci variant, or name a layout with --oci-layout\)/);
    // As a CI publish job sees them: each arch's cell built on its own runner, gathered under one out.
    const arm64 = await writeArchLayout(join(out, 'oci', 'arm64'), 'arm64');
    const amd64 = await writeArchLayout(join(out, 'oci', 'amd64'), 'amd64');
    const r = await runCli(args);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { oci: { digest: string } };
    assert.match(r.stderr, new RegExp(`oci: .*/oci amd64 \\+ arm64 -> ${report.oci.digest}`));
    const raw = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/${REPO}@${report.oci.digest}`], { encoding: 'utf8' });
    const index = JSON.parse(raw) as { manifests: { digest: string; platform: { architecture: string } }[] };
    assert.deepEqual(index.manifests.map((m) => [m.platform.architecture, m.digest]), [['amd64', amd64], ['arm64', arm64]]);
  } finally {
    await registry.close();
  }
});

test('a registry behind basic auth: credentials from POWERNODE_REGISTRY_*, never printed; without them a clear error', async () => {
  await using dir = await tempDir('pub-oci-auth');
  const out = await buildMini(dir.path);
  const layout = join(dir.path, 'oci-layout');
  const indexDigest = await writeOciLayout(layout);
  const password = 'pnib-s3cret-pw';
  const registry = await startRegistry(dir.path, { username: 'pnib', password });
  try {
    const args = ['publish', '--out', out, '--registry', `${registry.host}/${REPO}`, '--registry-insecure', '--oci-layout', layout, '--oci-tag', 'v1', '--json'];
    const anonymous = await runCli(args, { env: { POWERNODE_PUBLISH_RETRY_BASE_MS: '10' } });
    assert.equal(anonymous.code, 2, anonymous.stderr);
    assert.match(anonymous.stderr, /requires authentication \(HTTP 401 on HEAD .*\): set POWERNODE_REGISTRY_USERNAME and POWERNODE_REGISTRY_PASSWORD/);
    const wrong = await runCli(args, { env: { POWERNODE_PUBLISH_RETRY_BASE_MS: '10', POWERNODE_REGISTRY_USERNAME: 'pnib', POWERNODE_REGISTRY_PASSWORD: 'wrong-pw' } });
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stderr, /refused the credentials from POWERNODE_REGISTRY_USERNAME\/POWERNODE_REGISTRY_PASSWORD \(HTTP 401/);
    const r = await runCli(args, { env: { POWERNODE_REGISTRY_USERNAME: 'pnib', POWERNODE_REGISTRY_PASSWORD: password } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { oci: { digest: string } }).oci.digest, indexDigest);
    for (const text of [r.stdout, r.stderr, wrong.stdout, wrong.stderr]) assert.ok(!text.includes(password) && !text.includes('wrong-pw'), 'a password was printed');
    const raw = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--creds', `pnib:${password}`, '--raw', `docker://${registry.host}/${REPO}:v1`], { encoding: 'utf8' });
    assert.equal((JSON.parse(raw) as { mediaType: string }).mediaType, 'application/vnd.oci.image.index.v1+json');
  } finally {
    await registry.close();
  }
});
