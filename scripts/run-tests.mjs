#!/usr/bin/env node
// Runs the compiled tests with node's built-in runner. Node 20 has no glob support in --test,
// so the file list is gathered here. `--unit` skips the slow tests
// (real mmdebstrap/dracut/QEMU builds); arm64 tests run only with PNIB_TEST_ARM64=1.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const unitOnly = process.argv.includes('--unit');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const root = join(import.meta.dirname, '..', 'dist', 'test');

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.js') ? [p] : [];
  });
}

let files = walk(root).sort();
if (unitOnly) files = files.filter((f) => !f.includes('.slow.'));
// arm64 cells bootstrap their root through qemu-user (~10 min on 2 cores): opt in with PNIB_TEST_ARM64=1.
if (!process.env.PNIB_TEST_ARM64) files = files.filter((f) => !f.includes('.arm64.'));
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
const args = ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files];
// One step cache shared by the test files of this run (so the real rootfs is built once per
// run), fresh for every run: a test run never reuses what an earlier run or session built.
const shared = mkdtempSync(join(tmpdir(), 'pnib-test-run-'));
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, POWERNODE_TEST_SHARED: shared } });
if (!process.env.KEEP_TEST_CACHE) rmSync(shared, { recursive: true, force: true });
process.exit(r.status ?? 1);
