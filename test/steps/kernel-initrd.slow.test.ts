/**
 * The kernel-initrd slice for real: mmdebstrap (pinned trixie), kernel, dracut with 90powernode,
 * a QEMU boot to the marker, and `build verify` (two more builds from empty caches, compared).
 * Slow (minutes): the root filesystem comes from the Debian mirror.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyProject, runCli, sums, tempDir, SHARED_CACHE, SHARED_OUT } from '../helpers.js';

const CELL = join(SHARED_OUT, 'kernel-initrd', 'amd64');
const select = ['--arch', 'amd64', '--variant', 'kernel-initrd'];

test('kernel-initrd/amd64: built from the pinned mirror, booted in QEMU to the marker', { timeout: 30 * 60_000 }, async () => {
  const built = await runCli([...select, '--out', SHARED_OUT, '--cache-dir', SHARED_CACHE]);
  assert.equal(built.code, 0, built.stderr);
  const manifest = JSON.parse(await readFile(join(CELL, 'build-manifest.json'), 'utf8')) as {
    packages: { name: string; version: string }[]; facts: Record<string, Record<string, unknown>>; artifacts: { path: string }[];
  };
  const kernel = manifest.packages.find((p) => p.name === 'linux-image-6.12.117+deb13-amd64');
  assert.equal(kernel?.version, '6.12.117-1');
  assert.ok(manifest.packages.some((p) => p.name === 'dracut'));
  assert.match(String((manifest.facts['rootfs@amd64']?.release as { date?: string } | undefined)?.date), /\d{4}/);
  assert.deepEqual(manifest.artifacts.map((a) => a.path), ['cmdline', 'initrd.img', 'sbom.spdx.json', 'vmlinuz']);

  const smoke = await runCli(['smoke', ...select, '--out', SHARED_OUT, '--identity', 'test-node-1', '--timeout', '240']);
  assert.equal(smoke.code, 0, smoke.stderr);
  assert.match(smoke.stdout, /smoke kernel-initrd\/amd64: POWERNODE-INIT-OK id=test-node-1 \(\d+\.\d s\)/);
  process.stderr.write(smoke.stdout);
});

test('kernel-initrd/amd64: a modules.d change rebuilds only the initramfs and what depends on it', { timeout: 30 * 60_000 }, async () => {
  await using dir = await tempDir('ki-module');
  await copyProject(dir.path);
  await appendFile(join(dir.path, 'modules.d/90powernode/powernode-init.sh'), '# a comment changes the module\n');
  const r = await runCli([...select, '--project', dir.path, '--out', join(dir.path, 'out'), '--cache-dir', SHARED_CACHE]);
  assert.equal(r.code, 0, r.stderr);
  const ran = [...r.stderr.matchAll(/^\[(\S+)\] started$/gm)].map((m) => m[1]).sort();
  assert.deepEqual(ran, ['initramfs@amd64', 'kernel-initrd@amd64']);
  assert.match(r.stderr, /\[rootfs@amd64\] cached/);
  assert.match(r.stderr, /\[kernel@amd64\] cached/);
});

test('kernel-initrd/amd64: build verify (two builds from empty caches in different environments) finds no difference', { timeout: 40 * 60_000 }, async () => {
  await using dir = await tempDir('ki-verify');
  const r = await runCli(['verify', ...select, '--work', dir.path]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^same=\d+ different=0$/m);
  process.stderr.write(r.stdout);
  // ...and both match the build the other tests booted.
  assert.deepEqual(await sums(join(dir.path, 'a/out/kernel-initrd/amd64')), await sums(CELL));
});
