import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootsFor, diskBootArgv, rpi4PayloadArgv, virtCmdline } from '../../src/smoke/disk-boot.js';
import { parseMbr } from '../../src/smoke/rpi4-payload.js';

test('which boots prove which cells', () => {
  assert.deepEqual(bootsFor('raw', 'amd64'), ['seabios', 'ovmf']);
  assert.deepEqual(bootsFor('qcow2', 'amd64'), ['seabios', 'ovmf']);
  assert.deepEqual(bootsFor('raw', 'arm64'), ['aavmf']);
  assert.deepEqual(bootsFor('arm64-uefi', 'arm64'), ['aavmf']);
  assert.deepEqual(bootsFor('rpi4', 'arm64'), ['rpi4-payload']);
  assert.deepEqual(bootsFor('kernel-initrd', 'amd64'), ['direct']);
  assert.deepEqual(bootsFor('oci', 'amd64'), []);
});

test('SeaBIOS boots use QEMU\'s default firmware; UEFI boots add read-only code and snapshot vars', () => {
  const base = { arch: 'amd64' as const, disk: '/d.qcow2', format: 'qcow2' as const, accel: 'tcg' as const, identity: 'n1' };
  const bios = diskBootArgv({ ...base, kind: 'seabios' });
  assert.ok(!bios.some((a) => a.includes('pflash')));
  assert.ok(bios.includes('file=/d.qcow2,format=qcow2,if=virtio,snapshot=on'));
  assert.ok(bios.includes('name=opt/powernode/identity,string=n1'));
  const uefi = diskBootArgv({ ...base, kind: 'ovmf' });
  assert.ok(uefi.some((a) => a.includes('if=pflash') && a.includes('readonly=on') && a.includes('OVMF_CODE')));
  assert.ok(uefi.some((a) => a.includes('if=pflash') && a.includes('snapshot=on') && a.includes('OVMF_VARS')));
  const arm = diskBootArgv({ ...base, arch: 'arm64', kind: 'aavmf' });
  assert.equal(arm[0], 'qemu-system-aarch64');
  assert.ok(arm.some((a) => a.includes('AAVMF_CODE')));
  assert.throws(() => diskBootArgv({ ...base, arch: 'arm64', kind: 'seabios' }));
});

test('the Pi command line gets the virt console, keeps the rest', () => {
  assert.equal(virtCmdline('console=tty1 console=ttyS1,115200 root=LABEL=root rootwait ro panic=-1'), 'console=ttyAMA0 root=LABEL=root rootwait ro panic=-1');
  const argv = rpi4PayloadArgv({ kernel: '/k', initrd: '/i', cmdline: 'root=LABEL=root', disk: '/sd.img', accel: 'tcg' });
  assert.ok(argv.includes('-kernel') && argv.includes('file=/sd.img,format=raw,if=virtio,snapshot=on'));
});

test('MBR entries are parsed; a sector without 0x55AA is refused', () => {
  const s = Buffer.alloc(512);
  s.writeUInt16LE(0xaa55, 510);
  s[0x1be] = 0x80; s[0x1be + 4] = 0x0c; s.writeUInt32LE(2048, 0x1be + 8); s.writeUInt32LE(524288, 0x1be + 12);
  s[0x1ce + 4] = 0x83; s.writeUInt32LE(526336, 0x1ce + 8); s.writeUInt32LE(100, 0x1ce + 12);
  const r = parseMbr(s);
  assert.ok(r.ok);
  assert.deepEqual(r.value, [
    { index: 1, type: 0x0c, bootable: true, startLba: 2048, sectors: 524288 },
    { index: 2, type: 0x83, bootable: false, startLba: 526336, sectors: 100 },
  ]);
  assert.equal(parseMbr(Buffer.alloc(512)).ok, false);
});
