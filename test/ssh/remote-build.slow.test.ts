/**
 * kernel-initrd/amd64 on SSH builders (two private sshds on 127.0.0.1, each with its own
 * workdir and cache): the root filesystem comes from the host build's cache and is uploaded;
 * kernel, initramfs and the packager run remotely. Builder A's sshd is killed while it runs
 * dracut: the step moves to builder B. The hashes must equal the host build's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, runCli, sums, tempDir } from '../helpers.js';
import { SELECT, hostReference, seedCache } from '../exec/host-reference.js';
import { startSshd } from './sshd.js';

test('ssh builders: kernel-initrd/amd64 built remotely equals the host build; a killed builder hands over', { timeout: 30 * 60_000 }, async () => {
  const host = await hostReference();
  await using dir = await tempDir('ssh-build');
  const a = await startSshd(join(dir.path, 'a-sshd'));
  const b = await startSshd(join(dir.path, 'b-sshd'));
  try {
    const entry = (s: typeof a, name: string): string => [
      `  - url: ssh://root@127.0.0.1:${s.port}`, '    arches: [amd64]', '    concurrency: 1', `    key: ${s.keyFile}`,
      `    host_key: "${s.fingerprint}"`, `    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(CLI)}]`, `    workdir: ${join(dir.path, name)}`,
    ].join('\n');
    const buildersFile = join(dir.path, 'builders.yaml');
    await writeFile(buildersFile, `format: 1\nbuilders:\n${entry(a, 'a-work')}\n${entry(b, 'b-work')}\n`);
    const cache = join(dir.path, 'cache');
    await seedCache(cache, ['rootfs@amd64']);
    let killed = false;
    const started = Date.now();
    const built = await runCli([...SELECT, '--builders', buildersFile, '--out', join(dir.path, 'out'), '--cache-dir', cache, '-v'], {
      onStderr: (text) => {
        // The remote CLI's own "[initramfs@amd64] started", streamed back: dracut is about to run on A.
        if (!killed && text.includes('[initramfs@amd64] [initramfs@amd64] started')) { killed = true; a.kill(); }
      },
    });
    assert.equal(built.code, 0, built.stderr);
    assert.ok(killed, 'builder A was never killed');
    assert.match(built.stderr, /trying another builder/);
    process.stderr.write(`ssh build with one hand-over: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    // The builders' own tool versions are recorded, as a host build records the host's.
    const manifest = JSON.parse(await readFile(join(dir.path, 'out', 'kernel-initrd', 'amd64', 'build-manifest.json'), 'utf8')) as { tools: Record<string, string> };
    for (const t of ['bwrap', 'zstd', 'mmdebstrap']) assert.match(manifest.tools[t] ?? '', /\d/, `tools.${t}: ${JSON.stringify(manifest.tools)}`);
    const mine = await sums(join(dir.path, 'out', 'kernel-initrd', 'amd64'));
    for (const f of ['vmlinuz', 'cmdline', 'initrd.img']) assert.equal(mine[f], host[f], `${f} differs from the host build`);
  } finally {
    await a.stop();
    await b.stop();
  }
});
