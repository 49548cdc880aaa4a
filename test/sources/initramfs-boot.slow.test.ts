/**
 * A busybox initramfs made by `build initramfs` boots the pinned Debian kernel to the marker.
 * The kernel is the kernel-initrd/amd64 cell of this test run (test/steps/kernel-initrd builds it
 * into the shared out dir; built here through the CLI if this file runs first), or
 * POWERNODE_TEST_KERNEL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { bootToMarker } from '../../src/smoke/boot.js';
import { directBootArgv } from '../../src/smoke/qemu.js';
import { executor, MARKER_INIT, testKernel, writeBusyboxTree } from './fixtures.js';

test('initramfs from a busybox tree boots to the marker (amd64, TCG)', { timeout: 30 * 60_000 }, async () => {
  await using dir = await tempDir('initramfs-boot');
  const tree = join(dir.path, 'tree');
  await writeBusyboxTree(tree);
  const init = join(dir.path, 'init.sh');
  await writeFile(init, MARKER_INIT);
  const initrd = join(dir.path, 'initrd.gz');
  const made = await runCli(['initramfs', '--from', tree, '--init', init, '--compress', 'gzip', '--output', initrd], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
  assert.equal(made.code, 0, made.stderr);
  const kernel = await testKernel();
  const argv = directBootArgv({ arch: 'amd64', kernel, initrd, cmdline: 'console=ttyS0 panic=-1 quiet powernode.id=cpio-boot-1', accel: 'tcg', memoryMiB: 512 });
  const booted = await bootToMarker(executor, argv, { signal: AbortSignal.timeout(300_000), timeoutMs: 240_000 });
  assert.ok(booted.ok, booted.ok ? '' : booted.error);
  assert.equal(booted.value.identity, 'cpio-boot-1');
  process.stderr.write(`initramfs boot: ${booted.value.marker} in ${booted.value.seconds.toFixed(1)} s\n`);
});
