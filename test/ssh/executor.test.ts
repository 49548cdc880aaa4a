/** The SSH executor against a real OpenSSH sshd on 127.0.0.1 (started here, own keys). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { tempDir } from '../helpers.js';
import { startSshd } from './sshd.js';
import { buildersFromFlags, type Builder } from '../../src/ssh/builders.js';
import { SshExecutor } from '../../src/ssh/executor.js';
import { connect } from '../../src/ssh/connection.js';
import { download, sha256Local, upload } from '../../src/ssh/transfer.js';

const signal = new AbortController().signal;

async function builderFor(sshd: { port: number; keyFile: string; knownHosts: string }): Promise<Builder> {
  const b = await buildersFromFlags({ urls: [`ssh://root@127.0.0.1:${sshd.port}`], keyFile: sshd.keyFile, knownHosts: sshd.knownHosts, command: ['build'], workdir: '/tmp' });
  assert.ok(b.ok, b.ok ? '' : b.error);
  const first = b.value[0];
  assert.ok(first);
  return first;
}

test('ssh executor: argv words reach the remote program unchanged; output streams; exit codes', { timeout: 60_000 }, async () => {
  await using dir = await tempDir('ssh-exec');
  const sshd = await startSshd(dir.path);
  const ex = new SshExecutor(await builderFor(sshd));
  try {
    const words = ['plain', 'two words', "it's", '$HOME', '`id`', 'a;b && c', '*', 'new\nline', '', '--', '\\back'];
    const lines: string[] = [];
    const r = await ex.run({ argv: ['printf', '%s|\\n', ...words], env: { ODD: "x'y z" }, cwd: dir.path, captureStdout: true }, { signal, onLine: (l) => lines.push(l) });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.stdout, words.map((w) => `${w}|\n`).join(''));
    const env = await ex.run({ argv: ['sh', '-c', 'printf "%s %s" "$ODD" "$(pwd)"'], env: { ODD: "x'y z" }, cwd: dir.path, captureStdout: true }, { signal });
    assert.ok(env.ok);
    assert.equal(env.value.stdout, `x'y z ${dir.path}`);
    const streamed: string[] = [];
    const s = await ex.run({ argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] }, { signal, onLine: (l, st) => streamed.push(`${st}:${l}`) });
    assert.ok(!s.ok);
    assert.equal(s.error.code, 'exit');
    assert.equal(s.error.exitCode, 3);
    assert.deepEqual(streamed.sort(), ['stderr:err', 'stdout:out']);
    assert.equal(await ex.which('sha256sum'), '/usr/bin/sha256sum');
    assert.equal(await ex.which('no-such-tool-here'), undefined);
  } finally {
    ex.close();
    await sshd.stop();
  }
});

test('ssh: a host key that is not pinned is refused before authentication', { timeout: 30_000 }, async () => {
  await using dir = await tempDir('ssh-hostkey');
  const sshd = await startSshd(dir.path);
  try {
    const b = await builderFor(sshd);
    const good = await connect({ ...b, hostKey: { fingerprint: sshd.fingerprint } }, signal);
    assert.ok(good.ok);
    good.value.end();
    const bad = await connect({ ...b, hostKey: { fingerprint: 'SHA256:' + 'A'.repeat(43) } }, signal);
    assert.ok(!bad.ok);
    assert.equal(bad.error.code, 'ssh-host-key');
    await writeFile(join(dir.path, 'other_known_hosts'), `[127.0.0.1]:${sshd.port + 1} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO0000000000000000000000000000000000000000000\n`);
    const unknown = await connect({ ...b, hostKey: { knownHosts: join(dir.path, 'other_known_hosts') } }, signal);
    assert.ok(!unknown.ok);
    assert.equal(unknown.error.code, 'ssh-host-key');
    assert.match(unknown.error.message, /no pin for this host/);
  } finally {
    await sshd.stop();
  }
});

test('ssh transfer: 32 MiB up and down with fastPut/fastGet, sha256 checked on both ends', { timeout: 60_000 }, async () => {
  await using dir = await tempDir('ssh-xfer');
  const sshd = await startSshd(dir.path);
  const ex = new SshExecutor(await builderFor(sshd));
  try {
    const local = join(dir.path, 'blob');
    await writeFile(local, randomBytes(32 << 20));
    const sha256 = await sha256Local(local);
    const remote = join(dir.path, 'remote', 'sub', 'blob');
    const t0 = Date.now();
    const up = await upload(ex, [{ local, remote, sha256 }], signal);
    const upMs = Date.now() - t0;
    assert.ok(up.ok, JSON.stringify(up));
    const back = join(dir.path, 'back', 'blob');
    const down = await download(ex, [{ local: back, remote, sha256 }], signal);
    assert.ok(down.ok, JSON.stringify(down));
    assert.ok((await readFile(back)).equals(await readFile(local)));
    process.stderr.write(`32 MiB upload + remote sha256: ${upMs} ms\n`);
    const wrong = await download(ex, [{ local: back, remote, sha256: '0'.repeat(64) }], signal);
    assert.ok(!wrong.ok);
    assert.equal(wrong.error.code, 'ssh-checksum');
  } finally {
    ex.close();
    await sshd.stop();
  }
});

test('ssh: killing sshd mid-command fails the command cleanly with "disconnected"', { timeout: 60_000 }, async () => {
  await using dir = await tempDir('ssh-drop');
  const sshd = await startSshd(dir.path);
  const ex = new SshExecutor(await builderFor(sshd));
  try {
    const started = Date.now();
    const running = ex.run({ argv: ['sh', '-c', 'echo started; sleep 60'] }, { signal, onLine: (l) => { if (l === 'started') sshd.kill(); } });
    const r = await running;
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'disconnected');
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
    const again = await ex.run({ argv: ['true'] }, { signal });
    assert.ok(!again.ok);
    assert.equal(again.error.code, 'disconnected');
  } finally {
    ex.close();
    await sshd.stop();
  }
});
