/**
 * 90powernode, booted for real (QEMU q35 TCG, -kernel/-initrd of the built kernel-initrd cell):
 * identity from IMDS (a local HTTP server reached through slirp guestfwd), the local-id
 * fallback, a 9p seed bundle of module layers stacked by effective_priority with switch_root
 * into the union and the agent launched there, and a composefs-style verified image
 * (EROFS + overlayfs verity=require) that boots when intact and is refused when tampered.
 * Each test prints its boot time.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runCli, tempDir, SHARED_CACHE, SHARED_OUT } from '../helpers.js';
import { HostExecutor } from '../../src/exec/host.js';
import { directBootArgv, type DirectBoot } from '../../src/smoke/qemu.js';
import { bootAndWatch, type WatchResult } from '../../src/smoke/console.js';
import { appendToInitrd } from '../../src/smoke/initrd-append.js';
import { makeBaseRoot, makeModuleLayers, makeStoreImage, makeVerifiedStore, tamper, writeSeedConf } from './fixtures.js';

const CELL = join(SHARED_OUT, 'kernel-initrd', 'amd64');
const KERNEL = join(CELL, 'vmlinuz');
const INITRD = join(CELL, 'initrd.img');
const BASE_CMDLINE = 'console=ttyS0 panic=-1 no_timer_check rd.shell=0 rd.emergency=poweroff';
const TIMEOUT_MS = 240_000;
const executor = new HostExecutor();
/** The verified-image fixture sets trusted.overlay.* xattrs with setfattr (Debian package attr). */
const NO_SETFATTR = (() => { try { execFileSync('setfattr', ['--version'], { stdio: 'ignore' }); return false; } catch { return 'setfattr (Debian package attr) is not installed'; } })();

before(async () => {
  const built = await runCli(['--arch', 'amd64', '--variant', 'kernel-initrd', '--out', SHARED_OUT, '--cache-dir', SHARED_CACHE]);
  assert.equal(built.code, 0, built.stderr);
}, { timeout: 30 * 60_000 });

function boot(extra: Partial<DirectBoot> & { cmdline: string }): string[] {
  return directBootArgv({ arch: 'amd64', kernel: KERNEL, initrd: INITRD, accel: 'tcg', ...extra, cmdline: `${BASE_CMDLINE} ${extra.cmdline}` });
}

async function watch(name: string, argv: string[], until: RegExp, fail = /POWERNODE-ROOT-REFUSED|Kernel panic|FATAL/): Promise<WatchResult> {
  const r = await bootAndWatch(executor, argv, { until, fail, signal: AbortSignal.timeout(TIMEOUT_MS + 10_000), timeoutMs: TIMEOUT_MS });
  process.stderr.write(`[boot] ${name}: ${r.end} after ${r.seconds.toFixed(1)} s${r.line ? `: ${r.line.trim()}` : ''}\n`);
  return r;
}

function has(r: WatchResult, re: RegExp): boolean {
  return r.lines.some((l) => re.test(l));
}

function tail(r: WatchResult): string {
  return r.lines.slice(-40).join('\n');
}

test('identity: IMDS (HTTP via slirp guestfwd) wins over fw-cfg', { timeout: TIMEOUT_MS + 60_000 }, async () => {
  await using dir = await tempDir('imds');
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    if (req.url === '/latest/meta-data/instance-id') res.end('i-0imds4node\n');
    else { res.statusCode = 404; res.end(); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  // slirp spawns this per guest connection: a byte pipe between the connection and 127.0.0.1:port.
  const pipe = join(dir.path, 'pipe.mjs');
  await writeFile(pipe, "import { connect } from 'node:net';\nconst s = connect(Number(process.argv[2]), '127.0.0.1');\nprocess.stdin.pipe(s).pipe(process.stdout);\ns.on('close', () => process.exit(0));\n");
  try {
    const argv = boot({
      cmdline: 'rd.powernode.stop=1', identity: 'fwcfg-node-1',
      userNet: { net: '169.254.169.0/24', guestfwd: [{ guest: '169.254.169.254:80', command: [process.execPath, pipe, String(port)] }] },
    });
    const r = await watch('imds', argv, /POWERNODE-INIT-OK id=/);
    assert.equal(r.end, 'matched', tail(r));
    assert.match(r.line ?? '', /POWERNODE-INIT-OK id=i-0imds4node\b/);
    assert.deepEqual(requests, ['GET /latest/meta-data/instance-id']);
  } finally {
    server.close();
  }
});

test('identity: a NIC without metadata service falls back to fw-cfg within the short timeout', { timeout: TIMEOUT_MS + 60_000 }, async () => {
  const r = await watch('imds-absent', boot({ cmdline: 'rd.powernode.stop=1', identity: 'fwcfg-node-2', userNet: {} }), /POWERNODE-INIT-OK id=/);
  assert.equal(r.end, 'matched', tail(r));
  assert.match(r.line ?? '', /id=fwcfg-node-2\b/);
});

test('identity: no IMDS, no fw-cfg: /etc/powernode/local-id from an appended initrd archive', { timeout: TIMEOUT_MS + 60_000 }, async () => {
  await using dir = await tempDir('localid');
  const initrd = join(dir.path, 'initrd-local-id.img');
  await writeFile(initrd, appendToInitrd(await readFile(INITRD), [{ path: 'etc/powernode/local-id', content: 'baked-node-7\n' }]));
  const r = await watch('local-id', directBootArgv({ arch: 'amd64', kernel: KERNEL, initrd, accel: 'tcg', cmdline: `${BASE_CMDLINE} rd.powernode.stop=1` }), /POWERNODE-INIT-OK id=/);
  assert.equal(r.end, 'matched', tail(r));
  assert.match(r.line ?? '', /id=baked-node-7\b/);
});

async function seedBundle(path: string, withBase: boolean): Promise<void> {
  await makeModuleLayers(join(path, 'layers'));
  if (withBase) await makeBaseRoot(INITRD, join(path, 'layers', 'base'));
  // Listed out of order on purpose: the stack follows effective_priority only.
  await writeSeedConf(path, withBase ? [['mod-low', 20], ['base', 10], ['mod-high', 30]] : [['mod-low', 20], ['mod-high', 30]]);
}

test('seed bundle over 9p: layers stacked by effective_priority, switch_root into the union, agent launched', { timeout: TIMEOUT_MS + 60_000 }, async () => {
  await using dir = await tempDir('seed');
  const seed = join(dir.path, 'seed');
  const share = join(dir.path, 'share');
  await seedBundle(seed, true);
  await mkdir(share);
  await writeFile(join(share, 'hello'), 'from-host\n');
  const argv = boot({
    cmdline: 'root=powernode powernode.share=pn-share:/mnt/host', identity: 'union-node-1',
    shares: [{ path: seed, tag: 'powernode-seed', readonly: true }, { path: share, tag: 'pn-share' }],
  });
  const r = await watch('seed-union', argv, /TEST-ROOT-DONE/);
  assert.equal(r.end, 'matched', tail(r));
  assert.ok(has(r, /POWERNODE-INIT-OK id=union-node-1/), tail(r));
  assert.ok(has(r, /POWERNODE-ROOT-OK layers=mod-high,mod-low,base image=none/), tail(r));
  // The higher-priority layer's file wins; files only in lower layers show through.
  assert.ok(has(r, /UNION-VIEW view=high low=low-only base=base-only share=from-host pid=1\b/), tail(r));
  assert.ok(has(r, /AGENT-RAN layer=high id=union-node-1 source=fw-cfg phase=root/), tail(r));
  assert.match(r.line ?? '', /agent=yes/);
});

test('seed bundle: a tie in effective_priority refuses the boot', { timeout: TIMEOUT_MS + 60_000 }, async () => {
  await using dir = await tempDir('seed-tie');
  const seed = join(dir.path, 'seed');
  await seedBundle(seed, true);
  await writeSeedConf(seed, [['mod-low', 20], ['base', 10], ['mod-high', 20]]);
  const r = await watch('seed-tie', boot({ cmdline: 'root=powernode', identity: 'tie-node', shares: [{ path: seed, tag: 'powernode-seed', readonly: true }] }), /TEST-ROOT-DONE/);
  assert.equal(r.end, 'failed', tail(r));
  assert.match(r.line ?? '', /POWERNODE-ROOT-REFUSED seed.conf line \d+: layer mod-high has the same effective_priority as mod-low/);
});

async function verifiedFixture(dir: string): Promise<{ seed: string; store: string; digest: string; objects: Map<string, string> }> {
  const base = join(dir, 'base');
  await makeBaseRoot(INITRD, base);
  const v = await makeVerifiedStore(base, join(dir, 'v'));
  const seed = join(dir, 'seed');
  await seedBundle(seed, false);
  return { seed, store: join(dir, 'v', 'store'), digest: v.digest, objects: v.objects };
}

function verifiedBoot(seed: string, storeImg: string, digest: string): string[] {
  return boot({
    cmdline: `root=powernode powernode.image=${digest} powernode.store=/dev/vda`, identity: 'verified-node-1',
    shares: [{ path: seed, tag: 'powernode-seed', readonly: true }], disks: [{ file: storeImg, snapshot: true }],
  });
}

test('verified lower: EROFS image + verity=require data-only lowers under the seed layers', { timeout: TIMEOUT_MS + 120_000, skip: NO_SETFATTR }, async () => {
  await using dir = await tempDir('verity');
  const f = await verifiedFixture(dir.path);
  const img = join(dir.path, 'store.ext4');
  makeStoreImage(f.store, img);
  const r = await watch('verified', verifiedBoot(f.seed, img, f.digest), /TEST-ROOT-DONE/);
  assert.equal(r.end, 'matched', tail(r));
  assert.ok(has(r, new RegExp(`POWERNODE-ROOT-OK layers=mod-high,mod-low image=${f.digest}`)), tail(r));
  assert.ok(has(r, /UNION-VIEW view=high low=low-only base=base-only share=missing pid=1\b/), tail(r));
  assert.ok(has(r, /AGENT-RAN layer=high id=verified-node-1 source=fw-cfg phase=root/), tail(r));
});

test('verified lower: a tampered object refuses the boot', { timeout: TIMEOUT_MS + 120_000, skip: NO_SETFATTR }, async () => {
  await using dir = await tempDir('verity-bad');
  const f = await verifiedFixture(dir.path);
  const obj = f.objects.get('etc/only-base');
  assert.ok(obj);
  const tampered = join(dir.path, 'store-tampered');
  await cp(f.store, tampered, { recursive: true });
  await tamper(join(tampered, 'objects', obj));
  const img = join(dir.path, 'store.ext4');
  makeStoreImage(tampered, img);
  const r = await watch('verified-tampered', verifiedBoot(f.seed, img, f.digest), /TEST-ROOT-DONE/);
  assert.equal(r.end, 'failed', tail(r));
  assert.match(r.line ?? '', new RegExp(`POWERNODE-ROOT-REFUSED verity: object ${obj}`));
  assert.ok(!has(r, /UNION-VIEW/), tail(r));
});
