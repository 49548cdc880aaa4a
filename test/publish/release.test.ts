/** Release upload against a local server implementing the Gitea and GitHub release endpoints. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { buildMini, cellDir, writeKeyPair } from './helpers.js';
import { startReleaseServer } from './release-server.js';

const TOKEN = 'pnib-release-token-5e4d3c2b1a';

for (const flavour of ['gitea', 'github'] as const) {
  test(`publish --release (${flavour}): creates the release, uploads every file, keeps identical assets, replaces changed ones`, async () => {
    await using dir = await tempDir(`pub-release-${flavour}`);
    const out = await buildMini(dir.path);
    const keys = await writeKeyPair(dir.path);
    const server = await startReleaseServer(TOKEN);
    try {
      const url = flavour === 'gitea' ? server.giteaRepo : server.githubRepo;
      const args = ['publish', '--out', out, '--sign-key', keys.privateKey, '--release', url, '--release-tag', 'v1.2.3', '--verbose'];
      const first = await runCli(args, { env: { POWERNODE_RELEASE_TOKEN: TOKEN } });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /release v1\.2\.3: 13 uploaded, 0 already there/);
      assert.equal(server.releases.length, 1);
      const assets = server.releases[0]?.assets ?? [];
      assert.equal(assets.length, 13);
      const vmlinuz = assets.find((a) => a.name === 'kernel-initrd-amd64-vmlinuz');
      assert.ok(vmlinuz);
      assert.deepEqual(vmlinuz.data, await readFile(join(cellDir(out), 'vmlinuz')));
      assert.ok(assets.some((a) => a.name === 'kernel-initrd-amd64-vmlinuz.sigstore.json'));

      const again = await runCli(args, { env: { POWERNODE_RELEASE_TOKEN: TOKEN } });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /13 already there/);
      assert.equal(server.releases.length, 1);

      vmlinuz.data = Buffer.from('corrupted on the server');
      const repair = await runCli(args, { env: { POWERNODE_RELEASE_TOKEN: TOKEN } });
      assert.equal(repair.code, 0, repair.stderr);
      assert.match(repair.stderr, /1 uploaded, 12 already there/);
      assert.deepEqual(server.releases[0]?.assets.find((a) => a.name === 'kernel-initrd-amd64-vmlinuz')?.data, await readFile(join(cellDir(out), 'vmlinuz')));

      const denied = await runCli(args, { env: { POWERNODE_RELEASE_TOKEN: 'wrong-token-value' } });
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /HTTP 401/);
      for (const text of [first.stderr, again.stderr, repair.stderr, denied.stderr]) assert.ok(!text.includes(TOKEN) && !text.includes('wrong-token-value'));
    } finally {
      await server.close();
    }
  });
}
