/** Layer files: loading chains, validation, content keys, publish keys. Pure or local-file only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES, tempDir } from '../helpers.js';
import { loadLayer } from '../../src/layers/load.js';
import { layerKey } from '../../src/layers/key.js';
import { layerObjectKeys, parseOsRelease } from '../../src/layers/publish-s3.js';
import { sourcesFile } from '../../src/layers/apply.js';
import { mksquashfsArgv } from '../../src/layers/squashfs.js';

test('the Debian base -> compute -> debug chain loads', async () => {
  const debug = await loadLayer(join(FIXTURES, 'layers-debian', 'debian-debug.yaml'));
  assert.ok(debug.ok, debug.ok ? '' : debug.error.message);
  const chain: string[] = [];
  for (let l = debug.value; ; ) {
    chain.push(l.file.name);
    if (l.parent.kind !== 'layer') { assert.equal(l.parent.kind, 'scratch'); break; }
    l = l.parent.layer;
  }
  assert.deepEqual(chain, ['debian-debug', 'debian-compute', 'debian-base']);
  assert.deepEqual(debug.value.tags, ['13']);
});

test('bad layer files: every problem named with its path; cycles refused', async () => {
  await using dir = await tempDir('layers-bad');
  await writeFile(join(dir.path, 'a.yaml'), 'format: 1\nname: a\nparent: b\n');
  await writeFile(join(dir.path, 'b.yaml'), 'format: 1\nname: b\nparent: a\n');
  await writeFile(join(dir.path, 'bad.yaml'), 'format: 2\nname: bad\nparent: scratch\npackages: [Not-A-Package]\ncopyfiles: [{ src: x, dst: relative }]\n');
  const cycle = await loadLayer(join(dir.path, 'a.yaml'));
  assert.ok(!cycle.ok);
  assert.match(cycle.error.message, /cycle: .*a\.yaml -> .*b\.yaml -> .*a\.yaml/);
  const bad = await loadLayer(join(dir.path, 'bad.yaml'));
  assert.ok(!bad.ok);
  for (const p of ['format', 'packages.0', 'copyfiles.0.dst']) assert.match(bad.error.message, new RegExp(`bad\\.yaml: ${p.replace('.', '\\.')}:`));
});

test('content keys follow the parent, the settings and the bytes of copied files', async () => {
  await using dir = await tempDir('layers-key');
  await cp(join(FIXTURES, 'layers'), dir.path, { recursive: true });
  const base = await loadLayer(join(dir.path, 'base.yaml'));
  assert.ok(base.ok);
  const k1 = await layerKey(base.value.file, base.value.path, 'oci:sha256:1', 0);
  assert.equal(await layerKey(base.value.file, base.value.path, 'oci:sha256:1', 0), k1);
  assert.notEqual(await layerKey(base.value.file, base.value.path, 'oci:sha256:2', 0), k1);
  await writeFile(join(dir.path, 'files', 'os-release'), 'ID=debian\nVERSION_ID=14\n');
  assert.notEqual(await layerKey(base.value.file, base.value.path, 'oci:sha256:1', 0), k1);
});

test('OpenCHAMI object keys, apt sources and the mksquashfs argv', () => {
  const os = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nVERSION_ID="13"\nID=debian\n');
  assert.deepEqual(layerObjectKeys({ prefix: 'compute/base/', osRelease: os, name: 'compute-base', tag: '13', kver: '6.12.117+deb13-amd64' }), {
    rootfs: 'compute/base/debian13-compute-base-13',
    kernel: 'efi-images/compute/base/vmlinuz-6.12.117+deb13-amd64',
    initramfs: 'efi-images/compute/base/initramfs-6.12.117+deb13-amd64.img',
  });
  const s = sourcesFile({ alias: 'debian', url: 'http://deb.debian.org/debian', suite: 'trixie', components: ['main'], key: 'k.gpg' });
  assert.equal(s.keyPath, '/etc/apt/keyrings/debian.gpg');
  assert.match(s.text, /^Signed-By: \/etc\/apt\/keyrings\/debian\.gpg$/m);
  const argv = mksquashfsArgv('/r', '/o');
  assert.ok(argv.includes('-reproducible'));
  assert.ok(!argv.includes('-all-time') && !argv.includes('-mkfs-time'), 'SOURCE_DATE_EPOCH and -all-time together are fatal');
});
