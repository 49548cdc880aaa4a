import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patchBootSector, patchCoreImage } from '../../../src/steps/disk/bios-boot.js';

test('boot.img takes the MBR partition table and BPB area, points at the core and NOPs the drive check', () => {
  const boot = Buffer.alloc(512, 0xaa);
  const mbr = Buffer.alloc(512, 0);
  for (let i = 0; i < 512; i++) mbr[i] = i & 0xff;
  const out = patchBootSector(boot, mbr, 2048);
  assert.equal(out[0], 0xaa);
  assert.equal(out[2], 0xaa);
  assert.deepEqual(out.subarray(0x03, 0x5a), mbr.subarray(0x03, 0x5a));
  assert.deepEqual(out.subarray(0x1b8, 0x200), mbr.subarray(0x1b8, 0x200));
  assert.equal(out.readBigUInt64LE(0x5c), 2048n);
  assert.deepEqual([out[0x66], out[0x67]], [0x90, 0x90]);
  assert.equal(out[0x68], 0xaa);
  assert.equal(boot[0x66], 0xaa, 'the input is not modified');
});

test('core.img blocklist names the sectors after the first, loaded at 0x820', () => {
  const core = Buffer.alloc(512 * 60 + 100, 1);
  const out = patchCoreImage(core, 2048);
  assert.equal(out.length, 512 * 61);
  assert.equal(out.readBigUInt64LE(0x1f4), 2049n);
  assert.equal(out.readUInt16LE(0x1fc), 60);
  assert.equal(out.readUInt16LE(0x1fe), 0x820);
  assert.equal(out[512 * 60 + 100], 0, 'padded with zeros');
});

test('malformed inputs are refused', () => {
  assert.throws(() => patchBootSector(Buffer.alloc(511), Buffer.alloc(512), 1), RangeError);
  assert.throws(() => patchCoreImage(Buffer.alloc(512), 1), RangeError);
});
