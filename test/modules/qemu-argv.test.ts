/** The smoke argv builder's optional devices (pure): 9p shares, virtio disks, user networking. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { directBootArgv } from '../../src/smoke/qemu.js';
import { newcArchive, appendToInitrd } from '../../src/smoke/initrd-append.js';

const base = { arch: 'amd64', kernel: '/k', initrd: '/i', cmdline: 'console=ttyS0', accel: 'tcg' } as const;

test('directBootArgv: without the new options the argv is unchanged', () => {
  const argv = directBootArgv({ ...base, identity: 'n1' });
  assert.deepEqual(argv.slice(-2), ['-fw_cfg', 'name=opt/powernode/identity,string=n1']);
  assert.ok(!argv.includes('-netdev') && !argv.includes('-fsdev') && !argv.includes('-drive'));
});

test('directBootArgv: 9p shares, disks and user networking with guestfwd', () => {
  const argv = directBootArgv({
    ...base,
    shares: [{ path: '/srv/a,b', tag: 'powernode-seed', readonly: true }],
    disks: [{ file: '/d/store.img', snapshot: true }],
    userNet: { net: '169.254.169.0/24', guestfwd: [{ guest: '169.254.169.254:80', command: ['/usr/bin/node', '/t/pipe.mjs', '8080'] }] },
  });
  const s = argv.join(' ');
  assert.match(s, /-fsdev local,id=fs0,path=\/srv\/a,,b,security_model=none,readonly=on -device virtio-9p-pci,fsdev=fs0,mount_tag=powernode-seed/);
  assert.match(s, /-drive file=\/d\/store.img,format=raw,if=virtio,index=0,snapshot=on/);
  assert.match(s, /-netdev user,id=n0,net=169.254.169.0\/24,guestfwd=tcp:169.254.169.254:80-cmd:\/usr\/bin\/node \/t\/pipe.mjs 8080 -device virtio-net-pci,netdev=n0/);
});

test('directBootArgv: rejects what QEMU would misparse', () => {
  assert.throws(() => directBootArgv({ ...base, shares: [{ path: '/x', tag: 'bad tag' }] }), /mount_tag/);
  assert.throws(() => directBootArgv({ ...base, userNet: { guestfwd: [{ guest: '10.0.2.100:80', command: ['/a b'] }] } }), /spaces or commas/);
});

test('appendToInitrd: 4-byte aligned newc archive with parent directories and a trailer', () => {
  const out = appendToInitrd(new Uint8Array(5), [{ path: 'etc/powernode/local-id', content: 'n7\n' }]);
  assert.equal(out.subarray(8, 14).toString(), '070701');
  const text = newcArchive([{ path: 'etc/powernode/local-id', content: 'n7\n' }]).toString('latin1');
  assert.ok(text.indexOf('etc\0') < text.indexOf('etc/powernode\0') && text.indexOf('etc/powernode\0') < text.indexOf('etc/powernode/local-id\0'));
  assert.ok(text.includes('TRAILER!!!'));
  assert.throws(() => newcArchive([{ path: '/abs', content: '' }]), /bad path/);
});
