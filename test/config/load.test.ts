import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { copyProject, editFile, REPO_ROOT, tempDir } from '../helpers.js';

test('the shipped configuration loads: 8 variants, pinned kernel per arch', async () => {
  const config = await loadConfig(REPO_ROOT);
  assert.ok(config.ok, JSON.stringify(!config.ok && config.error));
  assert.deepEqual([...config.value.variants.keys()], ['arm64-uefi', 'ipxe', 'iso', 'kernel-initrd', 'oci', 'qcow2', 'raw', 'rpi4']);
  assert.equal(config.value.pins.debian.suite, 'trixie');
  assert.ok(config.value.pins.kernel.amd64?.version);
  assert.ok(config.value.inputs.some((f) => f.path === 'dracut/powernode.conf'));
});

test('every problem is reported at once, with file, field path and what was expected', async () => {
  await using dir = await tempDir('cfg');
  await copyProject(dir.path);
  await writeFile(join(dir.path, 'variants/raw.yaml'), (await readFile(join(dir.path, 'variants/raw.yaml'), 'utf8')).replace('size_mib: 2048', 'size_mib: big'));
  await writeFile(join(dir.path, 'variants/rpi4.yaml'), (await readFile(join(dir.path, 'variants/rpi4.yaml'), 'utf8')).replace('arches: [arm64]', 'arches: [arm64, riscv]'));
  await writeFile(join(dir.path, 'variants/iso.yaml'), (await readFile(join(dir.path, 'variants/iso.yaml'), 'utf8')).replace('name: iso', 'name: isox'));
  const config = await loadConfig(dir.path);
  assert.ok(!config.ok);
  const found = config.error.map((i) => `${i.file}|${i.path}`);
  assert.ok(found.includes('variants/raw.yaml|packager.size_mib'), found.join('\n'));
  assert.ok(found.includes('variants/rpi4.yaml|arches.1'), found.join('\n'));
  const raw = config.error.find((i) => i.path === 'packager.size_mib');
  assert.match(raw?.message ?? '', /expected number/);
});

test('cross-field rules: arm64-only packagers, qcow2 source, cmdline per arch', async () => {
  await using dir = await tempDir('rules');
  await copyProject(dir.path);
  const edit = (f: string, from: string, to: string): Promise<void> => editFile(join(dir.path, f), from, to);
  await edit('variants/rpi4.yaml', 'arches: [arm64]', 'arches: [amd64, arm64]');
  await edit('variants/qcow2.yaml', 'from: raw', 'from: iso');
  await edit('variants/kernel-initrd.yaml', '    arm64: console=ttyAMA0 panic=-1 rd.shell=0 rd.emergency=poweroff\n', '');
  await edit('variants/raw.yaml', 'root_fs: ext4', 'root_fs: erofs');
  await edit('variants/arm64-uefi.yaml', 'bootloader: grub', 'bootloader: systemd-boot');
  const config = await loadConfig(dir.path);
  assert.ok(!config.ok);
  const byFile = Object.fromEntries(config.error.map((i) => [`${i.file}|${i.path}`, i.message]));
  assert.match(byFile['variants/rpi4.yaml|arches'] ?? '', /arm64 images only/, JSON.stringify(byFile));
  assert.match(byFile['variants/qcow2.yaml|packager.from'] ?? '', /packager "raw" \(raw\)/);
  assert.match(byFile['variants/kernel-initrd.yaml|packager.cmdline.arm64'] ?? '', /required/);
  for (const a of ['amd64', 'arm64']) assert.match(byFile[`variants/raw.yaml|packager.cmdline.${a}`] ?? '', /root_fs: erofs .*expected "root=powernode powernode\.live=/);
  assert.match(byFile['manifests/pins.yaml|packages.arm64'] ?? '', /systemd-boot .*add "systemd-boot-efi"/);
});

test('invalid YAML names the file and line', async () => {
  await using dir = await tempDir('yaml');
  await copyProject(dir.path);
  await writeFile(join(dir.path, 'manifests/pins.yaml'), 'format: 1\ndebian: [unclosed\n');
  const config = await loadConfig(dir.path);
  assert.ok(!config.ok);
  const messages = config.error.map((i) => `${i.file}: ${i.message}`).join('\n');
  assert.match(messages, /^manifests\/pins\.yaml: invalid YAML at line \d+/);
});

test('source_date_epoch "git" is the commit time of the inputs, and an error outside a checkout', async () => {
  const { resolveSourceDateEpoch } = await import('../../src/config/resolve.js');
  const here = await resolveSourceDateEpoch(REPO_ROOT, 'git');
  assert.ok(here.ok && here.value > 1_700_000_000);
  await using dir = await tempDir('nogit');
  const there = await resolveSourceDateEpoch(dir.path, 'git');
  assert.ok(!there.ok);
  assert.equal(there.error.path, 'source_date_epoch');
  assert.match(there.error.message, /set a number/);
});
