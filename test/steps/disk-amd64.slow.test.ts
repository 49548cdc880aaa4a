/**
 * raw and qcow2 for amd64 for real: built through the CLI from the shared per-run cache (the
 * rootfs is bootstrapped once per test run), checked against the partition table sfdisk reads
 * back, booted under SeaBIOS and OVMF to the marker, and rebuilt in a fresh cache byte-identical.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyProject, editFile, runCli, sums, tempDir, SHARED_CACHE, SHARED_OUT } from '../helpers.js';
import { cellUuid } from '../../src/steps/disk/guid.js';
import { loadFacts, rangeSha256, readSector0, seedSharedStages, sfdiskJson, type DiskFacts } from './disk-helpers.js';

const select = ['--arch', 'amd64', '--variant', 'raw,qcow2'];
const RAW = join(SHARED_OUT, 'raw', 'amd64', 'disk.raw');

test('raw/amd64 + qcow2/amd64: built, partition table and digests match the manifest', { timeout: 30 * 60_000 }, async () => {
  const built = await runCli([...select, '--out', SHARED_OUT, '--cache-dir', SHARED_CACHE]);
  assert.equal(built.code, 0, built.stderr);
  const facts: DiskFacts = await loadFacts(join(SHARED_OUT, 'raw', 'amd64'), 'raw@amd64');
  const table = facts.partition_table;
  const scope = { variant: 'raw', arch: 'amd64' };
  assert.equal(table.label_id, cellUuid(scope, 'disk'));
  assert.deepEqual(table.partitions.map((p) => p.name), ['bios', 'esp', 'root']);
  const real = await sfdiskJson(RAW);
  assert.equal(real.id.toLowerCase(), table.label_id);
  for (const [i, p] of table.partitions.entries()) {
    assert.equal(p.uuid, cellUuid(scope, 'part', p.name));
    const r = real.partitions[i];
    assert.ok(r);
    assert.deepEqual([r.start, r.size, r.type.toLowerCase(), r.uuid.toLowerCase(), r.name], [p.start_lba, p.size_sectors, p.type, p.uuid, p.name]);
    assert.equal(await rangeSha256(RAW, p.offset_bytes, p.size_bytes), p.sha256, `${p.name}: the bytes in the image are the recorded partition`);
    assert.match(p.fsverity_root_hash, /^[0-9a-f]{64}$/);
  }
  const mbr = await readSector0(RAW);
  assert.equal(mbr.readBigUInt64LE(0x5c), BigInt(table.partitions[0]?.start_lba ?? 0), 'boot.img points at the BIOS boot partition');
  assert.equal(mbr.readUInt16LE(510), 0xaa55);
  const q = await loadFacts(join(SHARED_OUT, 'qcow2', 'amd64'), 'qcow2@amd64');
  assert.equal(q.from, 'raw@amd64');
});

test('raw/amd64 + qcow2/amd64 boot under SeaBIOS and OVMF to the marker', { timeout: 20 * 60_000 }, async () => {
  const smoke = await runCli(['smoke', ...select, '--out', SHARED_OUT, '--identity', 'disk-node-1', '--timeout', '240']);
  process.stderr.write(smoke.stdout);
  assert.equal(smoke.code, 0, smoke.stderr);
  for (const cell of ['qcow2/amd64', 'raw/amd64']) {
    for (const fw of ['seabios', 'ovmf']) assert.match(smoke.stdout, new RegExp(`smoke ${cell} ${fw}: POWERNODE-INIT-OK id=disk-node-1 \\(\\d+\\.\\d s\\)`));
  }
});

test('raw/amd64 + qcow2/amd64: rebuilt in a fresh cache from the same stage outputs, byte-identical', { timeout: 20 * 60_000 }, async () => {
  await using dir = await tempDir('disk-repro');
  const cache = join(dir.path, 'cache');
  await seedSharedStages(SHARED_CACHE, cache, select);
  const again = await runCli([...select, '--out', join(dir.path, 'out'), '--cache-dir', cache], { env: { TZ: 'Asia/Tokyo', LC_ALL: 'C' } });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr + again.stdout, /\[raw@amd64\] done in/, 'the disk was rebuilt, not taken from a cache');
  for (const v of ['raw', 'qcow2']) assert.deepEqual(await sums(join(dir.path, 'out', v, 'amd64')), await sums(join(SHARED_OUT, v, 'amd64')));
});

test('raw/amd64 with root_fs: erofs: an EROFS root partition, booted read-only under the RAM overlay (SeaBIOS, OVMF), byte-identical rebuild', { timeout: 30 * 60_000 }, async () => {
  await using dir = await tempDir('disk-erofs');
  const project = join(dir.path, 'project');
  await copyProject(project);
  const rawYaml = join(project, 'variants/raw.yaml');
  await editFile(rawYaml, 'root_fs: ext4', 'root_fs: erofs');
  await writeFile(rawYaml, (await readFile(rawYaml, 'utf8')).replaceAll('root=PARTLABEL=root ro', 'root=powernode powernode.live=/dev/disk/by-partlabel/root'));
  const erofs = ['--project', project, '--arch', 'amd64', '--variant', 'raw'];
  const out = join(dir.path, 'out');
  const built = await runCli([...erofs, '--out', out, '--cache-dir', SHARED_CACHE]);
  assert.equal(built.code, 0, built.stderr);
  const cellDir = join(out, 'raw', 'amd64');
  const facts = await loadFacts<DiskFacts & { filesystems: { root: { type: string } } }>(cellDir, 'raw@amd64');
  assert.equal(facts.filesystems.root.type, 'erofs');
  const root = facts.partition_table.partitions.find((p) => p.name === 'root');
  assert.ok(root);
  const superblock = Buffer.alloc(4);
  const fh = await open(join(cellDir, 'disk.raw'), 'r');
  try { await fh.read(superblock, 0, 4, root.offset_bytes + 1024); } finally { await fh.close(); }
  assert.equal(superblock.readUInt32LE(0), 0xe0f5e1e2, 'EROFS superblock magic at 1024 bytes into the root partition');

  const smoke = await runCli(['smoke', ...erofs, '--out', out, '--identity', 'erofs-node-1', '--timeout', '300']);
  process.stderr.write(smoke.stdout);
  assert.equal(smoke.code, 0, smoke.stderr);
  for (const fw of ['seabios', 'ovmf']) assert.match(smoke.stdout, new RegExp(`smoke raw/amd64 ${fw}: POWERNODE-INIT-OK id=erofs-node-1`));
  assert.equal((smoke.stdout.match(/then: .*POWERNODE-ROOT-OK/g) ?? []).length, 2, 'the union over the EROFS root came up on both boots');

  const cache = join(dir.path, 'cache');
  await seedSharedStages(SHARED_CACHE, cache, erofs);
  const again = await runCli([...erofs, '--out', join(dir.path, 'out2'), '--cache-dir', cache], { env: { TZ: 'Asia/Tokyo', LC_ALL: 'C' } });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr + again.stdout, /\[raw@amd64\] done in/);
  assert.deepEqual(await sums(join(dir.path, 'out2', 'raw', 'amd64')), await sums(cellDir));
});
