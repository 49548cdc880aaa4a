/**
 * Done-when of the sources-and-layers issue: a busybox base image pushed to a local registry,
 * base -> compute -> debug layers built on it, an initramfs from compute that boots to the
 * marker, SquashFS + kernel + initramfs published to S3 in the OpenCHAMI layout, and a second
 * build from empty caches with identical cpio and squashfs hashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { FIXTURES, tempDir } from '../helpers.js';
import { startRegistry } from '../publish/registry-server.js';
import { S3_ENV, startS3 } from '../publish/s3-server.js';
import { loadLayer } from '../../src/layers/load.js';
import { buildLayer } from '../../src/layers/build.js';
import { writeSquashfs } from '../../src/layers/squashfs.js';
import { layerObjectKeys, parseOsRelease, publishLayerToS3 } from '../../src/layers/publish-s3.js';
import { writeInitramfs } from '../../src/initramfs/write.js';
import { writeLayerLayout } from '../../src/layers/to-oci.js';
import { createS3Client } from '../../src/publish/s3/client.js';
import { bootToMarker } from '../../src/smoke/boot.js';
import { directBootArgv } from '../../src/smoke/qemu.js';
import { executor, isRoot, testKernel, writeBusyboxTree } from './fixtures.js';
import { pushImage, writeImageLayout } from './oci-images.js';

const SDE = 1_700_000_000;
const sha = async (f: string): Promise<string> => createHash('sha256').update(await readFile(f)).digest('hex');

interface Run { cpio: string; squashfs: string; initrd: string; sqfs: string; keys: string[]; cached: boolean[]; root: string }

async function buildChain(layersDir: string, cacheDir: string, outDir: string): Promise<Run> {
  const signal = AbortSignal.timeout(600_000);
  const o = { cacheDir, arch: 'amd64', sourceDateEpoch: SDE, executor, signal };
  const keys: string[] = [];
  const cached: boolean[] = [];
  let computeRoot = '';
  for (const name of ['base', 'compute', 'debug']) {
    const layer = await loadLayer(join(layersDir, `${name}.yaml`));
    assert.ok(layer.ok, layer.ok ? '' : layer.error.message);
    const built = await buildLayer(layer.value, o);
    assert.ok(built.ok, built.ok ? '' : built.error.message);
    keys.push(built.value.key);
    cached.push(built.value.cached);
    if (name === 'compute') computeRoot = built.value.root;
  }
  await mkdir(outDir, { recursive: true });
  const initrd = join(outDir, 'initramfs.img');
  const made = await writeInitramfs({ root: computeRoot, inject: [], compress: 'gzip', sourceDateEpoch: SDE, output: initrd }, { executor, signal });
  assert.ok(made.ok, made.ok ? '' : made.error.message);
  const sqfs = join(outDir, 'rootfs.squashfs');
  const sq = await writeSquashfs(computeRoot, sqfs, SDE, { executor, signal });
  assert.ok(sq.ok, sq.ok ? '' : sq.error.message);
  return { cpio: made.value.sha256, squashfs: await sha(sqfs), initrd, sqfs, keys, cached, root: computeRoot };
}

test('base -> compute -> debug from an OCI base: boots, publishes, reproduces', { skip: !isRoot && 'layers are applied as root', timeout: 30 * 60_000 }, async () => {
  await using dir = await tempDir('layers-e2e');
  const registry = await startRegistry(dir.path);
  const s3 = await startS3(join(dir.path, 's3'), ['boot-images']);
  try {
    const tree = join(dir.path, 'busybox');
    await writeBusyboxTree(tree);
    await pushImage(registry.host, 'powernode/busybox', '1', await writeImageLayout(dir.path, [{ arch: 'amd64', layers: [tree] }]));
    const layersDir = join(dir.path, 'layers');
    await cp(join(FIXTURES, 'layers'), layersDir, { recursive: true });
    const base = join(layersDir, 'base.yaml');
    await writeFile(base, (await readFile(base, 'utf8')).replaceAll('@REGISTRY@', registry.host));

    const first = await buildChain(layersDir, join(dir.path, 'cache-a'), join(dir.path, 'out-a'));
    const second = await buildChain(layersDir, join(dir.path, 'cache-b'), join(dir.path, 'out-b'));
    process.stderr.write(`layers: cpio sha256 ${first.cpio} / ${second.cpio}; squashfs sha256 ${first.squashfs} / ${second.squashfs}\n`);
    assert.deepEqual(second.keys, first.keys);
    assert.equal(second.cpio, first.cpio);
    assert.equal(second.squashfs, first.squashfs);
    assert.deepEqual(first.cached, [false, false, false]);
    const again = await buildChain(layersDir, join(dir.path, 'cache-a'), join(dir.path, 'out-c'));
    assert.deepEqual(again.cached, [true, true, true], 'unchanged layers come from the layer cache');
    assert.equal(await readFile(join(first.root, 'etc/powernode/layers'), 'utf8'), 'base\ncompute\n');
    assert.ok((await readdir(join(first.root, 'bin'))).includes('mount'), 'busybox --install ran in the base layer');

    // compute, published as an image: the same digest from both builds; a child pulls it as its parent.
    const images = [];
    for (const [i, run] of [first, second].entries()) {
      const img = await writeLayerLayout(run.root, join(dir.path, `compute-oci-${i}`), { name: 'compute', arch: 'amd64', sourceDateEpoch: SDE, executor, signal: AbortSignal.timeout(300_000) });
      assert.ok(img.ok, img.ok ? '' : img.error.message);
      images.push(img.value);
    }
    assert.equal(images[1]?.digest, images[0]?.digest);
    const pushed = await pushImage(registry.host, 'powernode/compute', '13', images[0]?.layout ?? '');
    assert.equal(pushed, images[0]?.digest);
    await writeFile(join(layersDir, 'debug-oci.yaml'), `format: 1\nname: debug-oci\nparent: oci://${registry.host}/powernode/compute:13\ncmds:\n  - cmd: echo debug >> /etc/powernode/layers\n`);
    const child = await loadLayer(join(layersDir, 'debug-oci.yaml'));
    assert.ok(child.ok, child.ok ? '' : child.error.message);
    const childBuilt = await buildLayer(child.value, { cacheDir: join(dir.path, 'cache-c'), arch: 'amd64', sourceDateEpoch: SDE, executor, signal: AbortSignal.timeout(300_000) });
    assert.ok(childBuilt.ok, childBuilt.ok ? '' : childBuilt.error.message);
    assert.equal(await readFile(join(childBuilt.value.root, 'etc/powernode/layers'), 'utf8'), 'base\ncompute\ndebug\n');
    assert.equal(childBuilt.value.base?.digest, pushed);

    const kernel = await testKernel();
    const argv = directBootArgv({ arch: 'amd64', kernel, initrd: first.initrd, cmdline: 'console=ttyS0 panic=-1 quiet powernode.id=layers-compute', accel: 'tcg', memoryMiB: 512 });
    const lines: string[] = [];
    const booted = await bootToMarker(executor, argv, { signal: AbortSignal.timeout(300_000), timeoutMs: 240_000, onLine: (l) => lines.push(l) });
    assert.ok(booted.ok, booted.ok ? '' : booted.error);
    assert.equal(booted.value.identity, 'layers-compute');
    assert.ok(lines.some((l) => l.includes('layers: base compute')), 'the compute layer booted');
    process.stderr.write(`layers: boot ${booted.value.marker} in ${booted.value.seconds.toFixed(1)} s\n`);

    for (const [k, v] of Object.entries(S3_ENV)) process.env[k] = v;
    const client = createS3Client({ endpoint: s3.endpoint });
    const osRelease = parseOsRelease(await readFile(join(first.root, 'etc/os-release'), 'utf8'));
    const keys = layerObjectKeys({ prefix: 'compute/base', osRelease, name: 'compute', tag: '13', kver: '6.12.117+deb13-amd64' });
    assert.equal(keys.rootfs, 'compute/base/debian13-compute-13');
    const status = await publishLayerToS3({ client, bucket: 'boot-images', keys, files: { rootfs: first.sqfs, kernel, initramfs: first.initrd }, policy: { attempts: 2, baseMs: 10, maxMs: 50 } });
    assert.deepEqual(status, { rootfs: 'uploaded', kernel: 'uploaded', initramfs: 'uploaded' });
    const head = await client.send(new HeadObjectCommand({ Bucket: 'boot-images', Key: keys.rootfs }));
    assert.equal(head.ContentLength, (await stat(first.sqfs)).size);
    const twice = await publishLayerToS3({ client, bucket: 'boot-images', keys, files: { rootfs: first.sqfs, kernel, initramfs: first.initrd }, policy: { attempts: 2, baseMs: 10, maxMs: 50 } });
    assert.deepEqual(twice, { rootfs: 'exists', kernel: 'exists', initramfs: 'exists' });
  } finally {
    await s3.close();
    await registry.close();
  }
});
