/** Pure parts of the initramfs writer and the OCI source: headers, ordering, links, references, whiteouts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeHeader, S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG, splitDev, trailer } from '../../src/initramfs/newc.js';
import { planArchive } from '../../src/initramfs/plan.js';
import { archiveName } from '../../src/initramfs/tree.js';
import type { TreeEntry } from '../../src/initramfs/types.js';
import { parseOciReference } from '../../src/sources/oci/reference.js';
import { findWhiteouts, unescapeTarName } from '../../src/sources/oci/whiteouts.js';
import { selectPlatform } from '../../src/sources/oci/platform.js';

const entry = (name: string, mode: number, extra: Partial<TreeEntry> = {}): TreeEntry =>
  ({ name, mode, mtime: 2_000_000_000, size: 0, rdevmajor: 0, rdevminor: 0, ...extra });

test('a newc header is 110 hex bytes + name, padded to 4', () => {
  const h = encodeHeader({ name: 'init', ino: 1, mode: S_IFREG | 0o755, nlink: 1, mtime: 0x65, filesize: 5, rdevmajor: 0, rdevminor: 0 });
  assert.equal(h.length % 4, 0);
  assert.equal(h.subarray(0, 6).toString(), '070701');
  assert.equal(h.subarray(6, 14).toString(), '00000001');
  assert.equal(h.subarray(14, 22).toString(), (S_IFREG | 0o755).toString(16).padStart(8, '0'));
  assert.equal(h.subarray(94, 102).toString(), '00000005'); // namesize: "init\0"
  assert.equal(h.subarray(110, 115).toString(), 'init\0');
  assert.equal(trailer().subarray(110, 120).toString(), 'TRAILER!!!');
});

test('splitDev follows glibc major/minor', () => {
  assert.deepEqual(splitDev(0x0801), { major: 8, minor: 1 });
  assert.deepEqual(splitDev(0x0501), { major: 5, minor: 1 });
  assert.deepEqual(splitDev(259 * 256 + 0x12345 % 256 + (Math.floor(0x12345 / 256) << 20)), { major: 259, minor: 0x12345 });
});

test('records are sorted, clamped, renumbered; hard links share an inode and the last one has the data', () => {
  const records = planArchive([
    entry('etc/b', S_IFREG | 0o644, { size: 3, source: '/x', linkKey: '1:9' }),
    entry('etc', S_IFDIR | 0o755),
    entry('bin/sh', S_IFLNK | 0o777, { linkTarget: 'busybox' }),
    entry('a', S_IFREG | 0o644, { size: 3, source: '/x', linkKey: '1:9', mtime: 5 }),
    entry('.', S_IFDIR | 0o755),
    entry('bin', S_IFDIR | 0o755),
    entry('dev/console', S_IFCHR | 0o600, { rdevmajor: 5, rdevminor: 1 }),
    entry('dev', S_IFDIR | 0o755),
  ], 1_700_000_000);
  assert.deepEqual(records.map((r) => r.header.name), ['.', 'a', 'bin', 'bin/sh', 'dev', 'dev/console', 'etc', 'etc/b']);
  assert.deepEqual(records.map((r) => r.header.ino), [1, 2, 3, 4, 5, 6, 7, 2]);
  const [root, a, , sh, , con, , b] = records;
  assert.equal(root?.header.nlink, 5); // 2 + bin, dev, etc
  assert.deepEqual([a?.header.nlink, a?.header.filesize, a?.source, a?.header.mtime], [2, 0, undefined, 5]);
  assert.deepEqual([b?.header.nlink, b?.header.filesize, b?.source, b?.header.mtime], [2, 3, '/x', 1_700_000_000]);
  assert.equal(sh?.inline?.toString(), 'busybox');
  assert.deepEqual([con?.header.rdevmajor, con?.header.rdevminor], [5, 1]);
});

test('injection destinations stay inside the archive', () => {
  assert.equal(archiveName('/usr/bin/agent'), 'usr/bin/agent');
  assert.equal(archiveName('init'), 'init');
  assert.equal(archiveName('/a/../../etc'), 'etc');
  assert.equal(archiveName('/'), undefined);
});

test('oci:// references: tag, digest, insecure loopback', () => {
  const d = `sha256:${'a'.repeat(64)}`;
  const r = parseOciReference(`oci://127.0.0.1:5000/demo/base:1.0@${d}`);
  assert.ok(r.ok);
  assert.deepEqual(r.value, { registry: '127.0.0.1:5000', repository: 'demo/base', tag: '1.0', digest: d, insecure: true });
  const t = parseOciReference('oci://ghcr.io/openchami/image');
  assert.ok(t.ok);
  assert.deepEqual([t.value.tag, t.value.digest, t.value.insecure], ['latest', undefined, false]);
  assert.equal(parseOciReference('docker.io/x').ok, false);
  assert.equal(parseOciReference('oci://h/Upper').ok, false);
  assert.equal(parseOciReference('oci://h/x@sha256:12').ok, false);
});

test('whiteouts and opaque directories are found in tar listings', () => {
  assert.deepEqual(findWhiteouts(['./', './etc/', './etc/.wh.motd', 'usr/.wh..wh..opq', '.wh.opt', 'etc/keep']), [
    { kind: 'delete', path: 'etc/motd' }, { kind: 'opaque', dir: 'usr' }, { kind: 'delete', path: 'opt' },
  ]);
  assert.equal(unescapeTarName('a\\nb\\\\c\\303\\251'), 'a\nb\\c\u00e9');
});

test('the index entry for the platform is chosen; attestations never', () => {
  const m = (architecture: string, variant?: string, att = false) => ({ digest: `sha256:${architecture}${variant ?? ''}${att ? 'att' : ''}`, size: 1, platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) }, ...(att ? { annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } } : {}) });
  const list = [m('amd64', undefined, true), m('arm', 'v7'), m('arm64'), m('amd64')];
  assert.equal(selectPlatform(list, { os: 'linux', architecture: 'amd64' })?.digest, 'sha256:amd64');
  assert.equal(selectPlatform(list, { os: 'linux', architecture: 'arm64', variant: 'v8' })?.digest, 'sha256:arm64');
  assert.equal(selectPlatform(list, { os: 'linux', architecture: 'riscv64' }), undefined);
});
