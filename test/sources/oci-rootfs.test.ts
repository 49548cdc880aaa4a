/**
 * `pins.rootfs.source: oci`: the mini fixture's root pushed as an image, built from the registry
 * by tag into a kernel-initrd cell (initramfs by our cpio writer); the digest is recorded and a
 * second build from an empty cache is byte-identical.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, runCli, sums, tempDir } from '../helpers.js';
import { startRegistry } from '../publish/registry-server.js';
import { isRoot, run } from './fixtures.js';
import { pushImage, writeImageLayout } from './oci-images.js';

test('rootfs from oci://: built, digest recorded, reproducible', { skip: !isRoot && 'layers are applied as root' }, async () => {
  await using dir = await tempDir('oci-rootfs');
  const registry = await startRegistry(dir.path);
  try {
    const project = join(dir.path, 'project');
    await cp(join(FIXTURES, 'mini'), project, { recursive: true });
    const layout = await writeImageLayout(dir.path, [{ arch: 'amd64', layers: [join(project, 'rootfs')] }]);
    const digest = await pushImage(registry.host, 'mini/root', 'v1', layout);
    const pins = join(project, 'manifests', 'pins.yaml');
    const text = await readFile(pins, 'utf8');
    await writeFile(pins, text.replace(/^rootfs: .*$/m, `rootfs: { source: oci, reference: "oci://${registry.host}/mini/root:v1" }`));
    const cells: string[] = [];
    for (const name of ['a', 'b']) {
      const out = join(dir.path, name, 'out');
      const r = await runCli(['--project', project, '--out', out, '--cache-dir', join(dir.path, name, 'cache'), '--arch', 'amd64']);
      assert.equal(r.code, 0, r.stderr);
      cells.push(join(out, 'kernel-initrd', 'amd64'));
    }
    const [a, b] = cells as [string, string];
    assert.deepEqual(await sums(b), await sums(a));
    const manifest = JSON.parse(await readFile(join(a, 'build-manifest.json'), 'utf8')) as { facts: Record<string, { oci?: { digest?: string } }> };
    assert.equal(manifest.facts['rootfs@amd64']?.oci?.digest, digest);
    const listed = await run(['sh', '-c', 'gzip -dc "$1" | cpio -t --quiet', 'sh', join(a, 'initrd.img')]);
    assert.match(listed, /^etc\/hostname$/m);
    assert.match(listed, /^init$/m);
  } finally {
    await registry.close();
  }
});
