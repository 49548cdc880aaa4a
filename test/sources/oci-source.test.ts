/**
 * The OCI source against a real docker-registry: images the test made (two layers with a
 * whiteout, an opaque directory, hard links, symlinks, a device node, an xattr) are pushed,
 * pulled by tag for amd64, verified, applied, cached by digest; then packed by `build initramfs`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, lstat, mkdir, readFile, readdir, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { startRegistry } from '../publish/registry-server.js';
import { resolveSource } from '../../src/sources/resolve-source.js';
import { executor, isRoot, run } from './fixtures.js';
import { pushImage, writeImageLayout } from './oci-images.js';

async function baseLayer(dir: string): Promise<void> {
  await mkdir(join(dir, 'etc'), { recursive: true });
  await mkdir(join(dir, 'opt/app'), { recursive: true });
  await mkdir(join(dir, 'usr/lib'), { recursive: true });
  await mkdir(join(dir, 'dev'), { recursive: true });
  await writeFile(join(dir, 'etc/motd'), 'base motd\n');
  await writeFile(join(dir, 'etc/keep'), 'kept\n');
  await writeFile(join(dir, 'opt/app/a'), 'a\n');
  await writeFile(join(dir, 'opt/app/b'), 'b\n');
  await writeFile(join(dir, 'usr/lib/x'), 'shared inode\n');
  await link(join(dir, 'usr/lib/x'), join(dir, 'usr/lib/x-link'));
  await symlink('usr/lib', join(dir, 'lib'));
  await run(['setfattr', '-n', 'user.powernode', '-v', 'layer0', join(dir, 'etc/keep')]);
  if (isRoot) await run(['mknod', '-m', '666', join(dir, 'dev/null'), 'c', '1', '3']);
}

async function upperLayer(dir: string): Promise<void> {
  await mkdir(join(dir, 'etc'), { recursive: true });
  await mkdir(join(dir, 'opt/app'), { recursive: true });
  await writeFile(join(dir, 'etc/.wh.motd'), '');
  await writeFile(join(dir, 'opt/app/.wh..wh..opq'), '');
  await writeFile(join(dir, 'opt/app/c'), 'c from the upper layer\n');
  await writeFile(join(dir, 'etc/new'), 'new\n');
}

test('oci:// by tag: index -> amd64, layers verified and applied with whiteouts, cached by digest', { skip: !isRoot && 'layers are applied as root' }, async () => {
  await using dir = await tempDir('oci-source');
  const registry = await startRegistry(dir.path);
  try {
    const [l0, l1, arm] = ['l0', 'l1', 'arm'].map((n) => join(dir.path, n)) as [string, string, string];
    await baseLayer(l0);
    await upperLayer(l1);
    await mkdir(arm);
    await writeFile(join(arm, 'arm64-only'), 'arm\n');
    const layout = await writeImageLayout(dir.path, [{ arch: 'amd64', layers: [l0, l1] }, { arch: 'arm64', layers: [arm] }]);
    const digest = await pushImage(registry.host, 'demo/base', '1.0', layout);
    const cacheDir = join(dir.path, 'cache');
    const signal = AbortSignal.timeout(120_000);
    const src = await resolveSource(`oci://${registry.host}/demo/base:1.0`, { cacheDir, arch: 'amd64', executor, signal });
    assert.ok(src.ok, src.ok ? '' : src.error.message);
    const root = src.value.root;
    assert.equal(src.value.record.digest, digest, 'the tag is recorded as the digest it resolved to');
    assert.equal(src.value.record.pinned, `${registry.host}/demo/base@${digest}`);
    assert.deepEqual((await readdir(join(root, 'etc'))).sort(), ['keep', 'new']);
    assert.deepEqual((await readdir(join(root, 'opt/app'))).sort(), ['c']);
    assert.equal(await readFile(join(root, 'opt/app/c'), 'utf8'), 'c from the upper layer\n');
    assert.equal((await stat(join(root, 'usr/lib/x'))).ino, (await stat(join(root, 'usr/lib/x-link'))).ino);
    assert.equal(await readlink(join(root, 'lib')), 'usr/lib');
    assert.equal((await run(['getfattr', '--only-values', '-n', 'user.powernode', join(root, 'etc/keep')])), 'layer0');
    assert.ok((await lstat(join(root, 'dev/null'))).isCharacterDevice());
    await assert.rejects(stat(join(root, 'arm64-only')));

    // By digest, from the cache: same tree directory, nothing unpacked again.
    const again = await resolveSource(`oci://${registry.host}/demo/base@${digest}`, { cacheDir, arch: 'amd64', executor, signal });
    assert.ok(again.ok);
    assert.equal(again.value.root, root);

    const arm64 = await resolveSource(`oci://${registry.host}/demo/base:1.0`, { cacheDir, arch: 'arm64', executor, signal });
    assert.ok(arm64.ok);
    assert.deepEqual(await readdir(arm64.value.root), ['arm64-only']);

    const missing = await resolveSource(`oci://${registry.host}/demo/base:2.0`, { cacheDir, arch: 'amd64', executor, signal });
    assert.ok(!missing.ok);
    assert.equal(missing.error.code, 'registry');
    const riscv = await resolveSource(`oci://${registry.host}/demo/base:1.0`, { cacheDir, arch: 'riscv64', executor, signal });
    assert.ok(!riscv.ok);
    assert.match(riscv.error.message, /no linux\/riscv64 image \(it has: linux\/amd64, linux\/arm64\)/);

    const out = join(dir.path, 'initrd.cpio');
    const made = await runCli(['initramfs', '--from', `oci://${registry.host}/demo/base:1.0`, '--cache-dir', cacheDir, '--arch', 'amd64', '--compress', 'none', '--output', out, '--json']);
    assert.equal(made.code, 0, made.stderr);
    assert.equal((JSON.parse(made.stdout) as { source: { digest: string } }).source.digest, digest);
    const names = (await run(['cpio', '-t', '--quiet', '-F', out])).trim().split('\n');
    assert.deepEqual(names.filter((n) => n.startsWith('etc') || n.startsWith('opt')), ['etc', 'etc/keep', 'etc/new', 'opt', 'opt/app', 'opt/app/c']);
  } finally {
    await registry.close();
  }
});
