import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPT_TYPE, MBR_TYPE, planDisk, sfdiskScript } from '../../../src/steps/disk/layout.js';
import { gptSpecs } from '../../../src/steps/disk/gpt-disk.js';
import { cellUuid } from '../../../src/steps/disk/guid.js';

const scope = { variant: 'raw', arch: 'amd64' };

test('amd64 GPT: bios, esp, root back to back from 1 MiB, the last MiB left for the backup GPT', () => {
  const plan = planDisk(scope, 'gpt', 2048, gptSpecs('amd64', 64));
  assert.deepEqual(plan.partitions.map((p) => [p.name, p.startMiB, p.sizeMiB]), [['bios', 1, 1], ['esp', 2, 64], ['root', 66, 1981]]);
  assert.equal(plan.labelId, cellUuid(scope, 'disk'));
  assert.equal(plan.partitions[2]?.type, GPT_TYPE['root-amd64']);
  assert.equal(plan.partitions[1]?.uuid, cellUuid(scope, 'part', 'esp'));
});

test('arm64 GPT has no BIOS boot partition and the arm64 root type', () => {
  const plan = planDisk({ variant: 'raw', arch: 'arm64' }, 'gpt', 2048, gptSpecs('arm64', 64));
  assert.deepEqual(plan.partitions.map((p) => p.name), ['esp', 'root']);
  assert.equal(plan.partitions[1]?.type, GPT_TYPE['root-arm64']);
});

test('sfdisk script pins label-id, uuids, names and sectors', () => {
  const plan = planDisk(scope, 'gpt', 2048, gptSpecs('amd64', 64));
  const script = sfdiskScript(plan);
  assert.match(script, /^label: gpt\nlabel-id: [0-9a-f-]{36}\nunit: sectors\nsector-size: 512\nfirst-lba: 2048\nlast-lba: 4194270\n/);
  assert.match(script, /start=4096, size=131072, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=[0-9A-F-]{36}, name="esp"/);
});

test('MBR plan: disk signature, no partition uuids, bootable flag kept', () => {
  const plan = planDisk({ variant: 'rpi4', arch: 'arm64' }, 'dos', 2048, [
    { name: 'boot', type: MBR_TYPE.fat32Lba, sizeMiB: 256, bootable: true },
    { name: 'root', type: MBR_TYPE.linux, sizeMiB: 'rest' },
  ]);
  assert.match(plan.labelId, /^0x[0-9a-f]{8}$/);
  const script = sfdiskScript(plan);
  assert.match(script, /start=2048, size=524288, type=c, bootable\n/);
  assert.doesNotMatch(script, /uuid=|last-lba/);
});

test('a disk too small for its fixed partitions is refused', () => {
  assert.throws(() => planDisk(scope, 'gpt', 64, gptSpecs('amd64', 64)), /cannot hold/);
});
