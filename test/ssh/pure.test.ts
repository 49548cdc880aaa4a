/** Pure parts of the SSH builders: quoting, URLs, host key pins, the builders file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { remoteCommand, shQuote } from '../../src/ssh/quote.js';
import { loadBuildersFile, parseSshUrl } from '../../src/ssh/builders.js';
import { fingerprint, knownHostKeys } from '../../src/ssh/host-key.js';
import { mergeToolVersions } from '../../src/ssh/remote-step.js';
import { tempDir } from '../helpers.js';

test('remoteCommand: every word is quoted; /bin/sh gives the argv back unchanged', () => {
  const argv = ['printf', '%s\\n', "it's", '$(id)', '`x`', 'a b', '', '*', 'x\ny', '\\'];
  const line = remoteCommand({ argv, env: { A: "q'uote" }, cwd: '/tmp/with space' });
  assert.ok(line.startsWith(`cd '/tmp/with space' && exec env -- 'A=q'\\''uote' 'printf'`));
  const printed = execFileSync('sh', ['-c', remoteCommand({ argv })], { encoding: 'utf8' });
  assert.equal(printed, argv.slice(2).map((w) => `${w}\n`).join(''));
  assert.equal(shQuote(''), "''");
  assert.throws(() => remoteCommand({ argv: ['true'], env: { 'A;B': '1' } }), /bad environment name/);
});

test('parseSshUrl: user, host, optional port', () => {
  assert.deepEqual(parseSshUrl('ssh://builder@arm64.example:2222'), { ok: true, value: { user: 'builder', host: 'arm64.example', port: 2222 } });
  assert.deepEqual(parseSshUrl('ssh://root@10.0.0.2'), { ok: true, value: { user: 'root', host: '10.0.0.2', port: 22 } });
  assert.equal(parseSshUrl('root@host').ok, false);
  assert.equal(parseSshUrl('ssh://root@host:70000').ok, false);
});

test('host keys: fingerprints as ssh-keygen prints them; known_hosts entries by host and port', async () => {
  await using dir = await tempDir('hostkey');
  const key = join(dir.path, 'k');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const [type, blob] = execFileSync('cat', [`${key}.pub`], { encoding: 'utf8' }).split(' ');
  const expected = execFileSync('ssh-keygen', ['-lf', `${key}.pub`], { encoding: 'utf8' }).split(' ')[1];
  assert.equal(fingerprint(Buffer.from(blob ?? '', 'base64')), expected);
  const text = `# comment\n[h]:2222 ${type} ${blob}\nh ${type} AAAA\n|1|hashed= ${type} ${blob}\n`;
  assert.equal(knownHostKeys(text, 'h', 2222).length, 1);
  assert.equal(knownHostKeys(text, 'h', 22).length, 1);
  assert.equal(knownHostKeys(text, 'other', 22).length, 0);
});

test('builders file: all problems reported with their paths; keys read relative to the file', async () => {
  await using dir = await tempDir('builders');
  await writeFile(join(dir.path, 'key'), 'PRIVATE');
  const good = join(dir.path, 'good.yaml');
  await writeFile(good, `format: 1\nbuilders:\n  - url: ssh://b@arm.example\n    arches: [arm64]\n    concurrency: 2\n    key: key\n    host_key: "SHA256:${'x'.repeat(43)}"\n`);
  const r = await loadBuildersFile(good);
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.deepEqual(r.value.map((b) => [b.name, b.arches, b.concurrency, b.command, b.workdir]), [['b@arm.example:22', ['arm64'], 2, ['build'], '/var/tmp/powernode-builder']]);
  const bad = join(dir.path, 'bad.yaml');
  await writeFile(bad, 'format: 1\nbuilders:\n  - url: http://x\n    arches: [riscv]\n    key: key\n    host_key: md5\n');
  const e = await loadBuildersFile(bad);
  assert.ok(!e.ok);
  assert.match(e.error, /builders\.0\.url/);
  assert.match(e.error, /builders\.0\.arches\.0/);
  assert.match(e.error, /builders\.0\.host_key/);
});

test('mergeToolVersions: one entry per program; builders that disagree are both recorded, sorted', () => {
  const into: Record<string, string> = {};
  mergeToolVersions(into, { bwrap: '0.8.0', zstd: '1.5.4' });
  mergeToolVersions(into, { bwrap: '0.8.0', cpio: '2.13' });
  mergeToolVersions(into, { bwrap: '0.11.0' });
  assert.deepEqual(into, { bwrap: '0.11.0 | 0.8.0', zstd: '1.5.4', cpio: '2.13' });
});
