/**
 * kernel-initrd/amd64 through the toolbox executor (bubblewrap, pinned trixie tools) against the
 * host build. The root filesystem comes from the host build (seeded into the toolbox's step
 * cache): kernel, initramfs and the packager run in the toolbox. Measured and explained (docs/executors.md):
 *   vmlinuz, cmdline: identical. initrd.img: the cpio dracut writes is identical; the zstd
 *   frame differs when the host's zstd differs from the toolbox's (bookworm 1.5.4 vs trixie
 *   1.5.7): re-compressing the toolbox's cpio with the host's zstd gives the host's initrd.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, sums, tempDir } from '../helpers.js';
import { HOST_CELL, SELECT, TOOLBOX_CACHE, hostReference, seedCache, toolboxStepCache } from './host-reference.js';

const zstdVersion = (argv: string[]): string => /v(\d+\.\d+\.\d+)/.exec(execFileSync(argv[0] ?? 'zstd', [...argv.slice(1), '-V'], { encoding: 'utf8' }))?.[1] ?? '?';

test('toolbox executor: kernel-initrd/amd64 matches the host build (or differs only by the compressor)', { timeout: 30 * 60_000 }, async () => {
  const host = await hostReference();
  // Toolbox runs keep their own step cache (per toolbox digest); seed it with the host's rootfs.
  await seedCache(await toolboxStepCache(TOOLBOX_CACHE), ['rootfs@amd64']);
  await using dir = await tempDir('toolbox-build');
  const out = join(dir.path, 'out');
  const started = Date.now();
  const built = await runCli([...SELECT, '--executor', 'toolbox', '--out', out, '--cache-dir', TOOLBOX_CACHE]);
  assert.equal(built.code, 0, built.stderr);
  process.stderr.write(`toolbox build (toolbox + kernel + initramfs + package): ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const cell = join(out, 'kernel-initrd', 'amd64');
  const mine = await sums(cell);
  const manifest = JSON.parse(await readFile(join(cell, 'build-manifest.json'), 'utf8')) as { toolbox?: { digest: string }; run: { executor: string } };
  assert.equal(manifest.run.executor, 'toolbox');
  assert.match(manifest.toolbox?.digest ?? '', /^sha256:[0-9a-f]{64}$/);

  for (const f of ['vmlinuz', 'cmdline']) assert.equal(mine[f], host[f], `${f} differs`);
  const cpio = (img: string): string => execFileSync('sh', ['-c', 'zstd -dc "$1" | sha256sum', 'sh', img], { encoding: 'utf8' }).split(' ')[0] ?? '';
  assert.equal(cpio(join(cell, 'initrd.img')), cpio(join(HOST_CELL, 'initrd.img')), 'the initramfs cpio differs between host and toolbox');
  const toolboxRoot = execFileSync('sh', ['-c', `ls -d ${TOOLBOX_CACHE}/toolbox/*/root | head -1`], { encoding: 'utf8' }).trim();
  const hostZstd = zstdVersion(['zstd']);
  const boxZstd = zstdVersion(['bwrap', '--ro-bind', '/', '/', '--ro-bind', `${toolboxRoot}/usr`, '/usr', '--dev', '/dev', '--', 'zstd']);
  if (hostZstd === boxZstd) {
    assert.equal(mine['initrd.img'], host['initrd.img']);
  } else {
    // The recorded, explained difference: same cpio, another zstd. Prove it by re-compressing.
    // From a file, as the step does: from a pipe zstd omits the content size and frames differ.
    const again = execFileSync('sh', ['-c', 'zstd -q -dc "$1" > "$2" && zstd -q -15 -T0 -c "$2" | sha256sum', 'sh', join(cell, 'initrd.img'), join(dir.path, 'initrd.cpio')], { encoding: 'utf8' }).split(' ')[0];
    assert.equal(again, host['initrd.img'], `host zstd ${hostZstd} re-compressing the toolbox cpio should give the host initrd`);
    process.stderr.write(`initrd.img differs only by zstd (host ${hostZstd}, toolbox ${boxZstd}); cpio identical\n`);
  }
});
