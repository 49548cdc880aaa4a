/**
 * `build initramfs` from a directory, read back by GNU cpio: listing, extraction, hard links,
 * device nodes, injected files, --init, and byte-identical output across runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile, mkdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { isRoot, run, writeMixedTree } from './fixtures.js';

const SDE = '1700000000';

async function build(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await runCli(['initramfs', ...args], { env: { SOURCE_DATE_EPOCH: SDE, ...env } });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('initramfs --from DIR: GNU cpio lists and extracts it; links, devices, injections, /init', async () => {
  await using dir = await tempDir('initramfs-cli');
  const tree = join(dir.path, 'tree');
  await writeMixedTree(tree);
  await writeFile(join(tree, 'init'), 'old init\n');
  await writeFile(join(dir.path, 'agent'), 'agent binary\n');
  await writeFile(join(dir.path, 'my-init'), '#!/bin/sh\necho new init\n');
  // A future mtime is clamped to SOURCE_DATE_EPOCH.
  await utimes(join(tree, 'etc/hostname'), 2_000_000_000, 2_000_000_000);
  const out = join(dir.path, 'initrd.cpio');
  await build(['--from', tree, '--inject', `${join(dir.path, 'agent')}:/usr/local/bin/agent`, '--init', join(dir.path, 'my-init'), '--compress', 'none', '--output', out]);

  const listing = await run(['cpio', '-t', '--quiet', '-F', out]);
  const names = listing.trim().split('\n');
  assert.deepEqual(names, [...names].sort((a, b) => (a === '.' ? -1 : b === '.' ? 1 : Buffer.compare(Buffer.from(a), Buffer.from(b)))));
  for (const n of ['.', 'bin/tool', 'bin/tool-alias', 'dev/fifo', 'etc/b-link', 'etc/sub/a', 'init', 'usr', 'usr/local', 'usr/local/bin', 'usr/local/bin/agent']) assert.ok(names.includes(n), n);
  const verbose = await run(['cpio', '-tv', '--quiet', '-F', out], { env: { TZ: 'UTC', LC_ALL: 'C' } });
  assert.doesNotMatch(verbose, /^\S+\s+\d+\s+(?!root\s+root)/m, 'every entry is owned by root:root');

  const x = join(dir.path, 'x');
  await mkdir(x);
  await run(['cpio', '-i', '-d', '-m', '--quiet', '--no-absolute-filenames', '-F', out], { cwd: x });
  assert.equal(await readFile(join(x, 'init'), 'utf8'), '#!/bin/sh\necho new init\n');
  assert.equal((await stat(join(x, 'init'))).mode & 0o7777, 0o755);
  assert.equal((await stat(join(x, 'usr/local/bin/agent'))).mode & 0o7777, 0o755);
  assert.equal((await stat(join(x, 'bin/tool'))).mode & 0o7777, 0o750);
  assert.equal((await stat(join(x, 'etc/hostname'))).mtimeMs / 1000, Number(SDE));
  const a = await stat(join(x, 'etc/sub/a'));
  const b = await stat(join(x, 'etc/b-link'));
  assert.equal(a.ino, b.ino, 'hard link kept');
  assert.equal(await readFile(join(x, 'etc/b-link'), 'utf8'), 'linked data\n');
  if (isRoot) {
    const con = await stat(join(x, 'dev/console'));
    assert.ok(con.isCharacterDevice());
    assert.equal(con.rdev, (5 << 8) | 1);
    assert.ok((await stat(join(x, 'dev/sda1'))).isBlockDevice());
  }
});

test('initramfs: two runs (other TZ, other cwd) give identical gzip and zstd output; -o names the file', async () => {
  await using dir = await tempDir('initramfs-repro');
  const tree = join(dir.path, 'tree');
  await writeMixedTree(tree);
  const digests: Record<string, string[]> = { gzip: [], zstd: [] };
  for (const [i, env] of [{ TZ: 'UTC' }, { TZ: 'Asia/Tokyo', LC_ALL: 'C' }].entries()) {
    for (const compress of ['gzip', 'zstd'] as const) {
      const out = join(dir.path, `run${i}.${compress}`);
      const stdout = await build(['--from', tree, '--compress', compress, '-o', out, '--json'], env);
      digests[compress]?.push((JSON.parse(stdout) as { sha256: string }).sha256);
    }
  }
  assert.equal(digests.gzip?.[0], digests.gzip?.[1]);
  assert.equal(digests.zstd?.[0], digests.zstd?.[1]);
  const listed = await run(['sh', '-c', `zstd -dc "$1" | cpio -t --quiet`, 'sh', join(dir.path, 'run0.zstd')]);
  assert.match(listed, /^etc\/sub\/a$/m);
});

test('initramfs: bad options are all reported, nothing is written', async () => {
  const r = await runCli(['initramfs', '--compress', 'lz4', '--inject', 'nocolon']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--from DIR\|oci:\/\/REF is required/);
  assert.match(r.stderr, /--output FILE/);
  assert.match(r.stderr, /--compress: expected gzip, zstd or none, got "lz4"/);
  assert.match(r.stderr, /--inject: expected SRC:DST, got "nocolon"/);
});
