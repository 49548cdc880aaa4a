import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

const MINI = join(FIXTURES, 'mini');

test('build verify: two builds in different environments, every stage output compared', async () => {
  await using dir = await tempDir('verify');
  const r = await runCli(['verify', '--project', MINI, '--work', dir.path]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  // per arch: rootfs (tar, sbom), kernel, initramfs, kernel-initrd (3 files), its manifest core
  assert.match(r.stdout, /^same=16 different=0$/m);
});

test('build verify names the first diverging stage and file, and exits 1', async () => {
  await using dir = await tempDir('verify-bad');
  const r = await runCli(['verify', '--project', MINI, '--work', dir.path, '--arch', 'amd64'], { env: { POWERNODE_FAULT: 'noise:kernel@amd64' } });
  assert.equal(r.code, 1, r.stderr + r.stdout);
  assert.match(r.stdout, /different: kernel@amd64 noise\.bin\n {2}.*differ/);
  assert.match(r.stdout, /first diverging stage: kernel@amd64/);
  assert.match(r.stdout, /^same=\d+ different=1$/m);
});
