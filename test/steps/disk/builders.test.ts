import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grubConfig, grubMkimageArgv, memdiskTarArgv } from '../../../src/steps/disk/grub.js';
import { fatCapacityBytes, fatDirs, mkfsVfatArgv, mtoolsArgvs } from '../../../src/steps/disk/fat.js';
import { mkfsExt4Argv, resetTimesScript } from '../../../src/steps/disk/ext4.js';
import { qemuImgConvertArgv } from '../../../src/steps/package-qcow2.js';
import { rpiConfigTxt } from '../../../src/steps/package-rpi4.js';

test('grub.cfg finds the ESP by volume id and boots without a menu', () => {
  const cfg = grubConfig({ bootFsUuid: '1A2B-3C4D', kernelPath: '/vmlinuz', initrdPath: '/initrd.img', cmdline: 'console=ttyS0 ro', serial: true });
  assert.match(cfg, /^serial --unit=0/);
  assert.match(cfg, /search --no-floppy --fs-uuid --set=root 1a2b-3c4d\n/);
  assert.match(cfg, /linux \/vmlinuz console=ttyS0 ro\ninitrd \/initrd.img\nboot\n$/);
  assert.doesNotMatch(grubConfig({ bootFsUuid: 'x', kernelPath: 'k', initrdPath: 'i', cmdline: '', serial: false }), /serial/);
});

test('memdisk tar and grub-mkimage argv are reproducible by construction', () => {
  const tar = memdiskTarArgv('/w', '/w/m.tar', 42);
  for (const flag of ['--sort=name', '--mtime=@42', '--owner=0', '--group=0', '--numeric-owner', '--format=ustar']) assert.ok(tar.includes(flag), flag);
  const mk = grubMkimageArgv('i386-pc', '/usr/lib/grub/i386-pc', '/w/m.tar', '/w/core.img');
  assert.deepEqual(mk.slice(0, 11), ['grub-mkimage', '-O', 'i386-pc', '-d', '/usr/lib/grub/i386-pc', '-p', '(memdisk)/boot/grub', '-m', '/w/m.tar', '-o', '/w/core.img']);
  assert.ok(mk.includes('biosdisk') && mk.includes('part_gpt') && mk.includes('fat'));
});

test('mkfs.vfat puts --invariant before -i; mtools makes parents first, copies in order', () => {
  const argv = mkfsVfatArgv({ label: 'ESP', volumeId: '1A2B3C4D', sizeMiB: 64, sourceDateEpoch: 1 }, 'esp.img');
  assert.ok(argv.indexOf('--invariant') < argv.indexOf('-i'));
  const files = [{ source: '/k', dest: '/vmlinuz' }, { source: '/e', dest: '/EFI/BOOT/BOOTX64.EFI' }];
  assert.deepEqual(fatDirs(files), ['/EFI', '/EFI/BOOT']);
  const cmds = mtoolsArgvs(files, 'esp.img');
  assert.deepEqual(cmds.map((c) => c[0]), ['mmd', 'mcopy', 'mcopy']);
  assert.deepEqual(cmds[1]?.slice(-2), ['/e', '::/EFI/BOOT/BOOTX64.EFI']);
  assert.ok(!cmds.some((c) => c.includes('-m')), 'no -m: mtools then stamps SOURCE_DATE_EPOCH');
  assert.ok(fatCapacityBytes(64) < 63 * 1024 * 1024 && fatCapacityBytes(128) > 120 * 1024 * 1024);
});

test('ext4: fixed uuid and hash seed; debugfs resets every time field, quoting paths', () => {
  const argv = mkfsExt4Argv({ label: 'root', uuid: 'u' as never, hashSeed: 'h' as never, sizeMiB: 10, sourceDateEpoch: 7 }, '/src', '/img');
  assert.ok(argv.includes('-U') && argv.some((a) => a.startsWith('hash_seed=h,root_owner=0:0')));
  assert.equal(resetTimesScript(['/a b'], 7), 'sif "/a b" atime @7\nsif "/a b" ctime @7\nsif "/a b" crtime @7\n');
  assert.throws(() => resetTimesScript(['/bad"name'], 7), RangeError);
});

test('qemu-img: plain, zlib and zstd conversions', () => {
  assert.ok(!qemuImgConvertArgv('a', 'b', 'none').includes('-c'));
  assert.deepEqual(qemuImgConvertArgv('a', 'b', 'zstd').slice(-5), ['-c', '-o', 'compression_type=zstd', 'a', 'b']);
});

test('config.txt names the files it boots', () => {
  const txt = rpiConfigTxt('vmlinuz', 'initrd.img', 'bcm2711-rpi-4-b.dtb');
  assert.match(txt, /^arm_64bit=1$/m);
  assert.match(txt, /^kernel=vmlinuz$/m);
  assert.match(txt, /^initramfs initrd.img followkernel$/m);
  assert.match(txt, /^device_tree=bcm2711-rpi-4-b.dtb$/m);
});
