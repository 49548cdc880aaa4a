/**
 * The podman executor for real: the toolbox imported as an image (once per digest), commands
 * with the run's directories bound at the same paths. One real step (kernel, seeded with the
 * host build's root filesystem and initramfs) through the CLI, compared with the host build;
 * and the nested bubblewrap the initramfs step needs. (A whole initramfs step in podman was
 * measured by hand: see docs/executors.md.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, sums, tempDir, REPO_ROOT } from '../helpers.js';
import { SELECT, TOOLBOX_CACHE, hostReference, seedCache, toolboxStepCache } from './host-reference.js';
import { createExecutor } from '../../src/exec/factory.js';

const signal = new AbortController().signal;

test('podman executor: runs in the toolbox image, nests bubblewrap, binds the run directories', { timeout: 20 * 60_000 }, async () => {
  await using dir = await tempDir('podman-exec');
  const chosen = await createExecutor({ kind: 'podman', projectRoot: REPO_ROOT, cacheRoot: TOOLBOX_CACHE, outRoot: dir.path, signal, log: () => undefined });
  assert.ok(chosen.ok, chosen.ok ? '' : chosen.error.message);
  const ex = chosen.value.executor;
  assert.equal(ex.name, 'podman');
  const t0 = Date.now();
  const v = await ex.run({ argv: ['mkfs.ext4', '-V'], captureStdout: true }, { signal });
  assert.ok(v.ok, JSON.stringify(v));
  process.stderr.write(`podman: image import (if needed) + first run ${Date.now() - t0} ms\n`);
  const t1 = Date.now();
  const lines: string[] = [];
  // The initramfs step runs dracut through bwrap: it must work inside the container.
  const nested = await ex.run({ argv: ['sh', '-c', 'bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --unshare-all -- sh -c "echo nested-ok" && echo "$1" > "$2/written"', 'sh', 'hello', dir.path] }, { signal, onLine: (l) => lines.push(l) });
  assert.ok(nested.ok, JSON.stringify(nested));
  assert.ok(lines.includes('nested-ok'));
  process.stderr.write(`podman: one run ${Date.now() - t1} ms\n`);
  const { readFile } = await import('node:fs/promises');
  assert.equal(await readFile(join(dir.path, 'written'), 'utf8'), 'hello\n');
  const failed = await ex.run({ argv: ['sh', '-c', 'exit 7'] }, { signal });
  assert.ok(!failed.ok);
  assert.equal(failed.error.code, 'exit');
  assert.equal(failed.error.exitCode, 7);
  assert.equal(await ex.which('mmdebstrap'), '/usr/bin/mmdebstrap');
});

test('podman executor: the kernel step through the CLI gives the host build\'s vmlinuz', { timeout: 30 * 60_000 }, async () => {
  const host = await hostReference();
  await using dir = await tempDir('podman-build');
  // Its own cache, so the kernel step is not found already built by the toolbox test.
  const cache = join(dir.path, 'cache');
  await mkdir(cache, { recursive: true });
  execFileSync('cp', ['-al', join(TOOLBOX_CACHE, 'toolbox'), join(cache, 'toolbox')]);
  await seedCache(await toolboxStepCache(cache), ['rootfs@amd64', 'initramfs@amd64']);
  const started = Date.now();
  const built = await runCli([...SELECT, '--executor', 'podman', '--out', join(dir.path, 'out'), '--cache-dir', cache]);
  assert.equal(built.code, 0, built.stderr);
  process.stderr.write(`podman build (kernel + package steps, preflight): ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const mine = await sums(join(dir.path, 'out', 'kernel-initrd', 'amd64'));
  assert.equal(mine.vmlinuz, host.vmlinuz);
  assert.equal(mine.cmdline, host.cmdline);
});
