/** The stage cache, proven on real runs: what a change invalidates is exactly what depends on it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

const started = (stderr: string): string[] => [...stderr.matchAll(/^\[(\S+)\] started$/gm)].map((m) => m[1] ?? '').sort();

test('no-op rebuild runs no step; a rootfs input rebuilds everything; a packager option only the cell', async () => {
  await using dir = await tempDir('cache');
  const project = join(dir.path, 'project');
  await cp(join(FIXTURES, 'mini'), project, { recursive: true });
  const build = () => runCli(['--project', project, '--out', join(dir.path, 'out'), '--cache-dir', join(dir.path, 'cache'), '--arch', 'amd64']);
  assert.equal((await build()).code, 0);
  const noop = await build();
  assert.deepEqual(started(noop.stderr), []);

  const variant = join(project, 'variants/kernel-initrd.yaml');
  await writeFile(variant, (await readFile(variant, 'utf8')).replace('amd64: console=ttyS0', 'amd64: console=ttyS0 quiet'));
  assert.deepEqual(started((await build()).stderr), ['kernel-initrd@amd64']);

  await writeFile(join(project, 'rootfs/etc/hostname'), 'changed\n');
  assert.deepEqual(started((await build()).stderr), ['initramfs@amd64', 'kernel-initrd@amd64', 'kernel@amd64', 'rootfs@amd64']);

  const ls = await runCli(['cache', 'ls', '--cache-dir', join(dir.path, 'cache')]);
  assert.equal(ls.code, 0);
  assert.match(ls.stdout, /rootfs@amd64/);
  const prune = await runCli(['cache', 'prune', '--cache-dir', join(dir.path, 'cache')]);
  assert.match(prune.stdout, /removed \d+ cache entries/);
  assert.equal(started((await build()).stderr).length, 4);
});
