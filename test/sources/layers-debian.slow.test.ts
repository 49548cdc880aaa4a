/**
 * Debian layers for real (opt in: PNIB_TEST_DEBIAN_LAYERS=1, ~4 min, needs the Debian mirror):
 * a scratch base bootstrapped by mmdebstrap with busybox, a child that installs jq, purges
 * busybox and runs a command; two builds from empty caches give identical cpio and squashfs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { loadLayer } from '../../src/layers/load.js';
import { buildLayer } from '../../src/layers/build.js';
import { writeSquashfs } from '../../src/layers/squashfs.js';
import { writeInitramfs } from '../../src/initramfs/write.js';
import { executor, isRoot } from './fixtures.js';
import { createHash } from 'node:crypto';

const SDE = 1_700_000_000;
const skip = !process.env.PNIB_TEST_DEBIAN_LAYERS ? 'set PNIB_TEST_DEBIAN_LAYERS=1' : !isRoot && 'layers are built as root';

test('Debian scratch -> child layers: apt in the layer root, reproducible', { skip, timeout: 30 * 60_000 }, async () => {
  await using dir = await tempDir('layers-debian');
  await copyFile('/usr/share/keyrings/debian-archive-keyring.gpg', join(dir.path, 'debian-archive-keyring.gpg'));
  await writeFile(join(dir.path, 'dbase.yaml'), 'format: 1\nname: dbase\nparent: scratch\nrepos:\n  - { alias: debian, url: "http://deb.debian.org/debian", suite: trixie, key: debian-archive-keyring.gpg }\npackages: [busybox]\n');
  await writeFile(join(dir.path, 'dchild.yaml'), 'format: 1\nname: dchild\nparent: dbase\npackages: [jq]\nremove_packages: [busybox]\ncmds:\n  - cmd: jq --version > /etc/jq-version\n');
  const hashes: string[][] = [];
  for (const name of ['a', 'b']) {
    const layer = await loadLayer(join(dir.path, 'dchild.yaml'));
    assert.ok(layer.ok, layer.ok ? '' : layer.error.message);
    const signal = AbortSignal.timeout(20 * 60_000);
    const built = await buildLayer(layer.value, { cacheDir: join(dir.path, name), arch: 'amd64', sourceDateEpoch: SDE, executor, signal });
    assert.ok(built.ok, built.ok ? '' : built.error.message);
    const root = built.value.root;
    assert.match(await readFile(join(root, 'etc/jq-version'), 'utf8'), /^jq-/);
    await assert.rejects(stat(join(root, 'bin/busybox')), 'busybox purged');
    await assert.rejects(stat(join(root, 'etc/resolv.conf')), 'no build-host resolver left behind');
    assert.match(await readFile(join(root, 'etc/apt/sources.list.d/debian.sources'), 'utf8'), /Signed-By: \/etc\/apt\/keyrings\/debian\.gpg/);
    const sqfs = join(dir.path, `${name}.sqfs`);
    const sq = await writeSquashfs(root, sqfs, SDE, { executor, signal });
    assert.ok(sq.ok, sq.ok ? '' : sq.error.message);
    const cpio = await writeInitramfs({ root, inject: [], compress: 'none', sourceDateEpoch: SDE, output: join(dir.path, `${name}.cpio`) }, { executor, signal });
    assert.ok(cpio.ok, cpio.ok ? '' : cpio.error.message);
    hashes.push([cpio.value.sha256, createHash('sha256').update(await readFile(sqfs)).digest('hex')]);
  }
  assert.deepEqual(hashes[1], hashes[0]);
});
