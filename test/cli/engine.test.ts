/** The engine end to end through the real CLI, on a tiny fixture project (dir rootfs, cpio initramfs). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir, cp, stat, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

const MINI = join(FIXTURES, 'mini');
const opts = (dir: string, cache = 'cache') => ['--project', MINI, '--out', join(dir, 'out'), '--cache-dir', join(dir, cache)];
const withoutRun = (text: string) => { const m = JSON.parse(text) as Record<string, unknown>; delete m.run; return m; };

test('build writes SHA256SUMS (sha256sum -c passes) and build-manifest.json; a rebuild is all cache hits', async () => {
  await using dir = await tempDir('engine');
  const first = await runCli([...opts(dir.path), '--arch', 'amd64']);
  assert.equal(first.code, 0, first.stderr);
  const cell = join(dir.path, 'out/kernel-initrd/amd64');
  assert.deepEqual((await readdir(cell)).sort(), ['SHA256SUMS', 'build-manifest.json', 'cmdline', 'initrd.img', 'provenance.intoto.json', 'sbom.spdx.json', 'vmlinuz']);
  execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: cell });
  const manifest = JSON.parse(await readFile(join(cell, 'build-manifest.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(manifest.format, 1);
  assert.deepEqual((manifest.artifacts as { path: string }[]).map((a) => a.path), ['cmdline', 'initrd.img', 'sbom.spdx.json', 'vmlinuz']);
  assert.equal(manifest.sbom, 'sbom.spdx.json');
  const provenance = JSON.parse(await readFile(join(cell, 'provenance.intoto.json'), 'utf8')) as { _type: string; predicateType: string; subject: { name: string; digest: { sha256: string } }[] };
  assert.equal(provenance._type, 'https://in-toto.io/Statement/v1');
  assert.equal(provenance.predicateType, 'https://slsa.dev/provenance/v1');
  assert.deepEqual(provenance.subject.map((s) => s.name), ['cmdline', 'initrd.img', 'sbom.spdx.json', 'vmlinuz']);
  assert.deepEqual((manifest.steps as { id: string }[]).map((s) => s.id), ['rootfs@amd64', 'kernel@amd64', 'initramfs@amd64', 'kernel-initrd@amd64']);
  assert.equal((manifest.run as { executor: string }).executor, 'host');
  const again = await runCli([...opts(dir.path), '--arch', 'amd64']);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /started/);
  assert.equal((again.stderr.match(/cached/g) ?? []).length, 4);
  // The cell in place is current: nothing is copied again, the files keep their inodes.
  assert.match(again.stderr, /\[kernel-initrd@amd64\] up to date: /);
  const inode = async (f: string): Promise<number> => (await stat(join(cell, f))).ino;
  const before = await inode('initrd.img');
  const third = await runCli([...opts(dir.path), '--arch', 'amd64']);
  assert.match(third.stderr, /up to date: /);
  assert.equal(await inode('initrd.img'), before);
  // A file changed in the output (or a different manifest) makes the cell be written again.
  await writeFile(join(cell, 'cmdline'), 'tampered\n');
  const fourth = await runCli([...opts(dir.path), '--arch', 'amd64']);
  assert.match(fourth.stderr, /\[kernel-initrd@amd64\] wrote /);
  execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: cell });
});

test('two builds from empty caches give identical artifacts and an identical manifest core', async () => {
  await using a = await tempDir('repro-a');
  await using b = await tempDir('repro-b');
  for (const d of [a, b]) assert.equal((await runCli([...opts(d.path), '--arch', 'amd64'])).code, 0);
  const read = (d: string, f: string) => readFile(join(d, 'out/kernel-initrd/amd64', f), 'utf8');
  assert.equal(await read(a.path, 'SHA256SUMS'), await read(b.path, 'SHA256SUMS'));
  assert.deepEqual(withoutRun(await read(a.path, 'build-manifest.json')), withoutRun(await read(b.path, 'build-manifest.json')));
});

test('plan --json lists cells and steps with the documented fields', async () => {
  const r = await runCli(['plan', '--json', '--project', MINI]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { format: number; cells: unknown[]; steps: Record<string, unknown>[] };
  assert.equal(plan.format, 1);
  assert.equal(plan.cells.length, 2);
  for (const s of plan.steps) for (const f of ['id', 'kind', 'arch', 'variant', 'deps', 'key']) assert.ok(f in s, f);
});

test('usage and config errors exit 2 and write nothing', async () => {
  await using dir = await tempDir('bad');
  const arch = await runCli([...opts(dir.path)], { env: { ARCH: 'sparc' } });
  assert.equal(arch.code, 2);
  assert.match(arch.stderr, /unknown ARCH "sparc": expected one of amd64, arm64/);
  const variant = await runCli([...opts(dir.path), '--variant', 'floppy']);
  assert.equal(variant.code, 2);
  assert.match(variant.stderr, /unknown VARIANT "floppy": expected one of kernel-initrd/);
  const project = join(dir.path, 'project');
  await cp(MINI, project, { recursive: true });
  await writeFile(join(project, 'variants/kernel-initrd.yaml'), (await readFile(join(project, 'variants/kernel-initrd.yaml'), 'utf8')).replace('boot: direct-kernel', 'boot: floppy'));
  const bad = await runCli(['--project', project, '--out', join(dir.path, 'out'), '--cache-dir', join(dir.path, 'cache')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /variants\/kernel-initrd\.yaml: boot: Invalid option: expected one of "direct-kernel"/);
  const flag = await runCli([...opts(dir.path), '--jobs', 'many']);
  assert.equal(flag.code, 2);
  assert.ok(!existsSync(join(dir.path, 'out')), 'nothing written under --out');
});

test('a missing tool fails preflight with exit 3, naming the tool and its Debian package', async () => {
  await using dir = await tempDir('preflight');
  const r = await runCli([...opts(dir.path), '--arch', 'amd64'], { env: { PATH: '/nonexistent' } });
  assert.equal(r.code, 3, r.stderr);
  // The cpio builder is our own newc writer now; tar (rootfs, kernel, initramfs) is the tool that goes missing.
  assert.match(r.stderr, /tar: not installed \(needed by initramfs@amd64, kernel@amd64, rootfs@amd64\); install the Debian package "tar"/);
  assert.ok(!existsSync(join(dir.path, 'out')));
});

test('SIGKILL in the middle of a step leaves no cell output; the next run redoes only unfinished steps', async () => {
  await using dir = await tempDir('kill');
  let seen = '';
  const run = runCli([...opts(dir.path), '--arch', 'amd64'], {
    env: { POWERNODE_FAULT: 'delay:initramfs@amd64:60000' },
    onStderr: (s) => { seen += s; if (seen.includes('[initramfs@amd64] started')) process.kill(run.pid ?? 0, 'SIGKILL'); },
  });
  const killed = await run;
  assert.equal(killed.signal, 'SIGKILL');
  assert.ok(!existsSync(join(dir.path, 'out/kernel-initrd')), 'no partial cell');
  const next = await runCli([...opts(dir.path), '--arch', 'amd64']);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, /\[rootfs@amd64\] cached/);
  assert.match(next.stderr, /\[kernel@amd64\] cached/);
  assert.match(next.stderr, /\[initramfs@amd64\] started/);
  assert.ok(existsSync(join(dir.path, 'out/kernel-initrd/amd64/SHA256SUMS')));
});

test('a failing step exits 1; --keep-going still builds the cells that do not depend on it', async () => {
  await using dir = await tempDir('fail');
  const env = { POWERNODE_FAULT: 'fail:initramfs@amd64' };
  const fast = await runCli([...opts(dir.path)], { env });
  assert.equal(fast.code, 1);
  assert.match(fast.stderr, /injected failure/);
  const going = await runCli([...opts(dir.path), '--keep-going'], { env });
  assert.equal(going.code, 1);
  assert.ok(existsSync(join(dir.path, 'out/kernel-initrd/arm64/SHA256SUMS')));
  assert.ok(!existsSync(join(dir.path, 'out/kernel-initrd/amd64')));
});
