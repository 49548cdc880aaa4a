/**
 * raw/arm64, arm64-uefi/arm64 and rpi4/arm64 for real. Slow: the arm64 root filesystem is
 * bootstrapped under qemu-user (~10 min) unless the shared per-run cache already holds it.
 * UEFI images boot under AAVMF; the Pi image (QEMU 7.2 has no Pi 4 machine) is checked for
 * structure and its own kernel, initrd and root partition are booted under `virt`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copyProject, editFile, runCli, sums, tempDir, SHARED_CACHE, SHARED_OUT } from '../helpers.js';
import { cellUuid } from '../../src/steps/disk/guid.js';
import { loadFacts, rangeSha256, seedSharedStages, sfdiskJson, type DiskFacts } from './disk-helpers.js';

const run = promisify(execFile);
const select = ['--arch', 'arm64', '--variant', 'raw,arm64-uefi,rpi4'];
const cell = (variant: string): string => join(SHARED_OUT, variant, 'arm64');

test('arm64 disks: built; GPT images carry an ESP and the arm64 root type', { timeout: 60 * 60_000 }, async () => {
  const built = await runCli([...select, '--out', SHARED_OUT, '--cache-dir', SHARED_CACHE]);
  assert.equal(built.code, 0, built.stderr);
  for (const variant of ['raw', 'arm64-uefi']) {
    const facts = await loadFacts(cell(variant), `${variant}@arm64`);
    const image = join(cell(variant), 'disk.raw');
    const real = await sfdiskJson(image);
    assert.equal(real.id.toLowerCase(), cellUuid({ variant, arch: 'arm64' }, 'disk'));
    assert.deepEqual(real.partitions.map((p) => p.type.toLowerCase()), ['c12a7328-f81f-11d2-ba4b-00a0c93ec93b', 'b921b045-1df0-41c3-af44-4c6f280d3fae']);
    for (const p of facts.partition_table.partitions) assert.equal(await rangeSha256(image, p.offset_bytes, p.size_bytes), p.sha256, `${variant} ${p.name}`);
    const esp = facts.partition_table.partitions[0];
    const { stdout } = await run('mdir', ['-i', `${image}@@${esp?.offset_bytes ?? 0}`, '-b', '::/EFI/BOOT'], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
    assert.match(stdout, /BOOTAA64\.EFI/);
  }
});

test('rpi4/arm64: MBR, firmware, DTB and a config.txt that names files present on the boot partition', { timeout: 10 * 60_000 }, async () => {
  const image = join(cell('rpi4'), 'sdcard.img');
  const facts = await loadFacts(cell('rpi4'), 'rpi4@arm64');
  const real = await sfdiskJson(image);
  assert.equal(real.label, 'dos');
  assert.deepEqual(real.partitions.map((p) => [p.type, p.bootable === true]), [['c', true], ['83', false]]);
  const boot = facts.partition_table.partitions[0];
  const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
  const at = `${image}@@${boot?.offset_bytes ?? 0}`;
  const listing = (await run('mdir', ['-i', at, '-b', '::/'], { env })).stdout.split('\n').map((l) => l.replace(/^::\//, '').trim()).filter(Boolean).sort();
  assert.deepEqual(listing, facts.boot_files);
  for (const f of ['start4.elf', 'fixup4.dat', 'bcm2711-rpi-4-b.dtb', 'config.txt', 'cmdline.txt']) assert.ok(listing.includes(f), f);
  const config = (await run('mtype', ['-i', at, '::/config.txt'], { env })).stdout;
  assert.match(config, /^arm_64bit=1$/m);
  const named = [/^kernel=(\S+)$/m, /^initramfs (\S+)/m, /^device_tree=(\S+)$/m].map((re) => re.exec(config)?.[1]);
  for (const n of named) assert.ok(n && listing.includes(n), `config.txt names ${n ?? '(nothing)'}, which must be on the boot partition`);
  const cmdline = (await run('mtype', ['-i', at, '::/cmdline.txt'], { env })).stdout;
  assert.match(cmdline, /root=LABEL=root/);
  const kernel = JSON.parse(await readFile(join(cell('rpi4'), 'build-manifest.json'), 'utf8')) as { facts: Record<string, { kver?: string }> };
  assert.match(String(kernel.facts['kernel@arm64']?.kver), /arm64$/);
});

test('arm64 disks boot: raw and arm64-uefi under AAVMF, the rpi4 payload under virt', { timeout: 30 * 60_000 }, async () => {
  const smoke = await runCli(['smoke', ...select, '--out', SHARED_OUT, '--identity', 'arm-node-1', '--timeout', '300']);
  process.stderr.write(smoke.stdout);
  assert.equal(smoke.code, 0, smoke.stderr);
  for (const line of ['raw/arm64 aavmf', 'arm64-uefi/arm64 aavmf', 'rpi4/arm64 rpi4-payload']) {
    assert.match(smoke.stdout, new RegExp(`smoke ${line}: POWERNODE-INIT-OK id=arm-node-1 \\(\\d+\\.\\d s\\)`));
  }
  // The Pi payload boot goes on until the kernel mounts the image's own root partition.
  const root = (await loadFacts(cell('rpi4'), 'rpi4@arm64')).filesystems.root as { uuid?: string } | undefined;
  assert.match(smoke.stdout, new RegExp(`smoke rpi4/arm64 rpi4-payload: then: .*EXT4-fs \\(vda2\\): mounted filesystem ${root?.uuid ?? '?'}`));
});

test('arm64 disks: rebuilt in a fresh cache from the same stage outputs, byte-identical', { timeout: 20 * 60_000 }, async () => {
  await using dir = await tempDir('disk-arm64-repro');
  const cache = join(dir.path, 'cache');
  await seedSharedStages(SHARED_CACHE, cache, select);
  const again = await runCli([...select, '--out', join(dir.path, 'out'), '--cache-dir', cache], { env: { TZ: 'Asia/Tokyo', LC_ALL: 'C' } });
  assert.equal(again.code, 0, again.stderr);
  for (const v of ['raw', 'arm64-uefi', 'rpi4']) assert.deepEqual(await sums(join(dir.path, 'out', v, 'arm64')), await sums(cell(v)));
});

test('arm64-uefi with bootloader: systemd-boot: BOOTAA64.EFI is systemd-boot with one loader entry; boots under AAVMF; byte-identical rebuild', { timeout: 60 * 60_000 }, async () => {
  await using dir = await tempDir('disk-sdboot');
  const project = join(dir.path, 'project');
  await copyProject(project);
  const edit = (f: string, from: string, to: string): Promise<void> => editFile(join(project, f), from, to);
  await edit('variants/arm64-uefi.yaml', 'bootloader: grub', 'bootloader: systemd-boot');
  // Its own root: systemd-boot-efi joins the arm64 packages (a second arm64 bootstrap).
  await edit('manifests/pins.yaml', 'arm64: [grub-efi-arm64-bin, raspi-firmware]', 'arm64: [grub-efi-arm64-bin, raspi-firmware, systemd-boot-efi]');
  const sel = ['--project', project, '--arch', 'arm64', '--variant', 'arm64-uefi'];
  const out = join(dir.path, 'out');
  const built = await runCli([...sel, '--out', out, '--cache-dir', SHARED_CACHE]);
  assert.equal(built.code, 0, built.stderr);
  const cellDir = join(out, 'arm64-uefi', 'arm64');
  const facts = await loadFacts<DiskFacts & { boot: { uefi: string; loader_entry: string }; cmdline: string }>(cellDir, 'arm64-uefi@arm64');
  assert.equal(facts.boot.uefi, 'systemd-boot');
  const esp = facts.partition_table.partitions[0];
  const at = `${join(cellDir, 'disk.raw')}@@${esp?.offset_bytes ?? 0}`;
  const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
  const entry = (await run('mtype', ['-i', at, `::${facts.boot.loader_entry}`], { env })).stdout;
  assert.match(entry, new RegExp(`^options ${facts.cmdline}$`, 'm'));
  assert.match(entry, /^linux \/vmlinuz$/m);
  await using efi = await tempDir('sdboot-efi');
  await run('mcopy', ['-i', at, '::/EFI/BOOT/BOOTAA64.EFI', join(efi.path, 'BOOTAA64.EFI')], { env });
  assert.ok((await readFile(join(efi.path, 'BOOTAA64.EFI'))).includes('systemd-boot'), 'BOOTAA64.EFI is systemd-boot');

  const smoke = await runCli(['smoke', ...sel, '--out', out, '--identity', 'sdboot-node-1', '--timeout', '300']);
  process.stderr.write(smoke.stdout);
  assert.equal(smoke.code, 0, smoke.stderr);
  assert.match(smoke.stdout, /smoke arm64-uefi\/arm64 aavmf: POWERNODE-INIT-OK id=sdboot-node-1/);

  const cache = join(dir.path, 'cache');
  await seedSharedStages(SHARED_CACHE, cache, sel);
  const again = await runCli([...sel, '--out', join(dir.path, 'out2'), '--cache-dir', cache], { env: { TZ: 'Asia/Tokyo', LC_ALL: 'C' } });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(await sums(join(dir.path, 'out2', 'arm64-uefi', 'arm64')), await sums(cellDir));
});
