/**
 * iso, ipxe and oci for arm64, for real, and the two-arch OCI index. Slow and opt-in
 * (PNIB_TEST_ARM64=1): the arm64 root is bootstrapped under qemu-user unless the shared per-run
 * cache already holds it. The ISO boots under AAVMF as a CD and as a disk; the arm64 iPXE bundle
 * has no iPXE binary (Debian builds none) and says so; the arm64 OCI layout is read by skopeo and
 * unpacked by umoci; with the amd64 oci cell beside it, `<out>/oci` is one index over both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, tempDir, SHARED_CACHE, SHARED_OUT } from '../helpers.js';
import { loadFacts } from './disk-helpers.js';

const cell = (variant: string, arch = 'arm64'): string => join(SHARED_OUT, variant, arch);
const skopeo = (...args: string[]): string => execFileSync('skopeo', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const log = (s: string): void => { process.stderr.write(s); };

test('iso, ipxe, oci / arm64 and the two-arch OCI index', { timeout: 60 * 60_000 }, async (t) => {
  const started = Date.now();
  const built = await runCli(['--arch', 'arm64', '--variant', 'iso,ipxe,oci', '--out', SHARED_OUT, '--cache-dir', SHARED_CACHE]);
  assert.equal(built.code, 0, built.stderr);
  log(`build iso,ipxe,oci/arm64: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);

  await t.test('the arm64 ISO boots under AAVMF as a CD and as a disk, to the live root', async () => {
    const smoke = await runCli(['smoke', '--arch', 'arm64', '--variant', 'iso', '--out', SHARED_OUT, '--identity', 'arm-iso-1', '--timeout', '600']);
    log(smoke.stdout);
    assert.equal(smoke.code, 0, smoke.stderr);
    for (const kind of ['cd-aavmf', 'aavmf']) assert.match(smoke.stdout, new RegExp(`smoke iso/arm64 ${kind}: POWERNODE-INIT-OK id=arm-iso-1`));
    assert.equal((smoke.stdout.match(/then: .*POWERNODE-ROOT-OK/g) ?? []).length, 2);
  });

  await t.test('the arm64 iPXE bundle: payload and boot.ipxe, no iPXE binary, and a note saying why', async () => {
    const names = (await readdir(cell('ipxe'))).sort();
    for (const f of ['boot.ipxe', 'initrd.img', 'rootfs.squashfs', 'vmlinuz']) assert.ok(names.includes(f), f);
    for (const f of ['ipxe.efi', 'snponly.efi', 'undionly.kpxe']) assert.ok(!names.includes(f), f);
    assert.match(await readFile(join(cell('ipxe'), 'boot.ipxe'), 'utf8'), /console=ttyAMA0/);
    const facts = await loadFacts<{ note?: string }>(cell('ipxe'), 'ipxe@arm64');
    assert.match(String(facts.note), /Debian ships no arm64 iPXE/);
  });

  await t.test('the arm64 OCI layout: skopeo reads it, umoci unpacks an aarch64 root with the kernel under /usr/lib/modules', async () => {
    const facts = await loadFacts<{ oci_digest: string; kver: string }>(cell('oci'), 'oci@arm64');
    const inspect = JSON.parse(skopeo('inspect', `oci:${cell('oci')}:arm64`)) as { Digest: string; Architecture: string; Labels: Record<string, string> };
    assert.deepEqual([inspect.Digest, inspect.Architecture, inspect.Labels['containers.bootc']], [facts.oci_digest, 'arm64', '1']);
    await using work = await tempDir('umoci-arm64');
    await cp(cell('oci'), join(work.path, 'layout'), { recursive: true });
    execFileSync('umoci', ['unpack', '--image', `${join(work.path, 'layout')}:arm64`, join(work.path, 'bundle')], { stdio: 'pipe' });
    const modules = await readdir(join(work.path, 'bundle/rootfs/usr/lib/modules', facts.kver));
    assert.ok(modules.includes('vmlinuz') && modules.includes('initramfs.img'), modules.join(' '));
    assert.match(execFileSync('file', ['-L', join(work.path, 'bundle/rootfs/usr/bin/systemctl')], { encoding: 'utf8' }), /ARM aarch64/);
  });

  await t.test('with the amd64 oci cell built too, <out>/oci is one index over both arches, complete for skopeo copy --all', async () => {
    const amd64 = await runCli(['--arch', 'amd64', '--variant', 'oci', '--out', SHARED_OUT, '--cache-dir', SHARED_CACHE]);
    assert.equal(amd64.code, 0, amd64.stderr);
    const digests = await Promise.all(['amd64', 'arm64'].map(async (a) => (await loadFacts<{ oci_digest: string }>(cell('oci', a), `oci@${a}`)).oci_digest));
    const variantDir = join(SHARED_OUT, 'oci');
    const line = new RegExp(`oci: ${variantDir} latest = (sha256:[0-9a-f]{64}) \\(amd64 ${digests[0]}, arm64 ${digests[1]}\\)`).exec(amd64.stderr);
    assert.ok(line, amd64.stderr);
    log(`two-arch index: ${line[1]}\n`);
    const index = JSON.parse(skopeo('inspect', '--raw', `oci:${variantDir}:latest`)) as { manifests: { digest: string; platform: { architecture: string } }[] };
    assert.deepEqual(index.manifests.map((m) => [m.platform.architecture, m.digest]), [['amd64', digests[0]], ['arm64', digests[1]]]);
    await using copy = await tempDir('oci-copy-all');
    skopeo('copy', '--all', '--quiet', `oci:${variantDir}:latest`, `oci:${join(copy.path, 'x')}:v1`);
  });
});
