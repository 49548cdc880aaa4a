/**
 * iso, ipxe and oci for amd64, for real: built by the CLI from the shared per-run cache (the
 * root filesystem is bootstrapped once per run), the ISO booted as a CD and as a disk under
 * SeaBIOS and OVMF, the iPXE bundle netbooted (TFTP + HTTP), each to the live root; the OCI
 * layout read by skopeo and unpacked by umoci; the three cells rebuilt from a fresh cache
 * seeded with only the shared stages (rootfs, kernel, initramfs), byte-identical, with the same
 * oci_digest. Slow (~10 min after the shared stages on 2 cores).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, sums, tempDir, SHARED_CACHE, SHARED_OUT } from '../helpers.js';
import { seedSharedStages } from './disk-helpers.js';

const VARIANTS = 'iso,ipxe,oci';
const select = ['--arch', 'amd64', '--variant', VARIANTS];
const cell = (v: string, out = SHARED_OUT): string => join(out, v, 'amd64');
const facts = async (v: string, out = SHARED_OUT): Promise<Record<string, unknown>> =>
  ((JSON.parse(await readFile(join(cell(v, out), 'build-manifest.json'), 'utf8')) as { facts: Record<string, Record<string, unknown>> }).facts[`${v}@amd64`] ?? {});
const log = (s: string): void => { process.stderr.write(s); };

test('iso, ipxe, oci / amd64', { timeout: 40 * 60_000 }, async (t) => {
  let started = Date.now();
  const built = await runCli([...select, '--out', SHARED_OUT, '--cache-dir', SHARED_CACHE]);
  assert.equal(built.code, 0, built.stderr);
  log(`build ${VARIANTS}: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);

  await t.test('the ISO boots as a CD and as a disk, SeaBIOS and OVMF, to the live root', async () => {
    const smoke = await runCli(['smoke', '--arch', 'amd64', '--variant', 'iso', '--out', SHARED_OUT, '--identity', 'iso-node-1', '--timeout', '300']);
    log(smoke.stdout);
    assert.equal(smoke.code, 0, smoke.stderr);
    for (const kind of ['cd-seabios', 'cd-ovmf', 'seabios', 'ovmf']) {
      assert.match(smoke.stdout, new RegExp(`smoke iso/amd64 ${kind}: POWERNODE-INIT-OK id=iso-node-1`));
    }
    assert.equal((smoke.stdout.match(/then: .*POWERNODE-ROOT-OK/g) ?? []).length, 4);
  });

  await t.test('the iPXE bundle netboots (TFTP, then HTTP) to the live root', async () => {
    const names = (await readdir(cell('ipxe'))).sort();
    for (const f of ['boot.ipxe', 'initrd.img', 'ipxe.efi', 'rootfs.squashfs', 'snponly.efi', 'undionly.kpxe', 'vmlinuz']) assert.ok(names.includes(f), f);
    const script = await readFile(join(cell('ipxe'), 'boot.ipxe'), 'utf8');
    assert.match(script, /set base-url \$\{platform_url\}\/api\/v1\/system\/netboot\/\$\{instance_id\}\/amd64/);
    const smoke = await runCli(['smoke', '--arch', 'amd64', '--variant', 'ipxe', '--out', SHARED_OUT, '--identity', 'net-node-1', '--timeout', '400']);
    log(smoke.stdout);
    assert.equal(smoke.code, 0, smoke.stderr);
    assert.match(smoke.stdout, /smoke ipxe\/amd64 netboot-bios: POWERNODE-INIT-OK id=net-node-1/);
    assert.match(smoke.stdout, /then: .*POWERNODE-ROOT-OK/);
  });

  await t.test('the OCI layout: skopeo reads it, umoci unpacks it, bootc conventions hold', async () => {
    const dir = cell('oci');
    const digest = String((await facts('oci')).oci_digest);
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    const raw = execFileSync('skopeo', ['inspect', '--raw', `oci:${dir}:amd64`], { encoding: 'utf8' });
    const manifest = JSON.parse(raw) as { mediaType: string; layers: { mediaType: string }[] };
    assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.ok(manifest.layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip'));
    const inspect = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${dir}:amd64`], { encoding: 'utf8' })) as { Digest: string; Labels: Record<string, string>; Architecture: string };
    assert.equal(inspect.Digest, digest);
    assert.equal(inspect.Labels['containers.bootc'], '1');
    assert.equal(inspect.Architecture, 'amd64');
    await using work = await tempDir('umoci');
    const layout = join(work.path, 'layout');
    await cp(dir, layout, { recursive: true });
    execFileSync('umoci', ['unpack', '--image', `${layout}:amd64`, join(work.path, 'bundle')], { stdio: 'pipe' });
    const kver = String((await facts('oci')).kver);
    const mod = await readdir(join(work.path, 'bundle', 'rootfs', 'usr/lib/modules', kver));
    assert.ok(mod.includes('vmlinuz') && mod.includes('initramfs.img'), mod.join(' '));
    assert.ok((await readdir(join(work.path, 'bundle', 'rootfs', 'usr/bin'))).includes('systemctl'));
    // The multi-arch layout over the oci cells (here amd64 alone), what publish pushes by default.
    const variantDir = join(SHARED_OUT, 'oci');
    assert.match(built.stderr, new RegExp(`oci: ${variantDir} latest = sha256:[0-9a-f]{64} \\(amd64 ${digest}\\)`));
    const index = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', `oci:${variantDir}:latest`], { encoding: 'utf8' })) as { mediaType: string; manifests: { digest: string; platform: { architecture: string } }[] };
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(index.manifests.map((m) => [m.platform.architecture, m.digest]), [['amd64', digest]]);
  });

  await t.test('the three cells rebuilt from a cache holding only the shared stages are byte-identical', async () => {
    await using dir = await tempDir('iio-repro');
    const cache = join(dir.path, 'cache');
    await seedSharedStages(SHARED_CACHE, cache, select);
    started = Date.now();
    const again = await runCli([...select, '--out', join(dir.path, 'out'), '--cache-dir', cache], { env: { TZ: 'Asia/Tokyo', LC_ALL: 'C' } });
    assert.equal(again.code, 0, again.stderr);
    log(`rebuild ${VARIANTS}: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    for (const v of VARIANTS.split(',')) {
      assert.match(again.stderr + again.stdout, new RegExp(`\\[${v}@amd64\\] done in`), `${v}: rebuilt, not taken from a cache`);
      const [first, second] = [await sums(cell(v)), await sums(cell(v, join(dir.path, 'out')))];
      log(`${v}: ${JSON.stringify(second)}\n`);
      assert.deepEqual(second, first, v);
    }
    const digests = [(await facts('oci')).oci_digest, (await facts('oci', join(dir.path, 'out'))).oci_digest];
    log(`oci_digest: ${String(digests[0])} / ${String(digests[1])}\n`);
    assert.equal(digests[1], digests[0]);
  });
});
