/**
 * The host build of kernel-initrd/amd64 that executor tests compare against: built once per test
 * run into the shared cache (the kernel-initrd slow test reuses it), and a way to seed another
 * cache with its root filesystem entry (hard links) so a test rebuilds only what it compares.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, sums, SHARED_CACHE, SHARED_OUT, REPO_ROOT } from '../helpers.js';
import { createExecutor, stepCacheRoot } from '../../src/exec/factory.js';

export const SELECT = ['--arch', 'amd64', '--variant', 'kernel-initrd'];
export const HOST_CELL = join(SHARED_OUT, 'kernel-initrd', 'amd64');
/** Shared by the toolbox and podman tests of one run: the toolbox is built once. */
export const TOOLBOX_CACHE = `${SHARED_CACHE}-toolbox`;

export async function hostReference(): Promise<Record<string, string>> {
  const built = await runCli([...SELECT, '--out', SHARED_OUT, '--cache-dir', SHARED_CACHE]);
  assert.equal(built.code, 0, built.stderr);
  return sums(HOST_CELL);
}

/** Hard-links the shared cache's entries of the given step kinds (and a built toolbox) into `cache`. */
export async function seedCache(cache: string, ids: readonly string[]): Promise<void> {
  await mkdir(join(cache, 'steps'), { recursive: true });
  for (const key of await readdir(join(SHARED_CACHE, 'steps'))) {
    const record = JSON.parse(await readFile(join(SHARED_CACHE, 'steps', key, 'record.json'), 'utf8')) as { id: string };
    if (ids.includes(record.id)) execFileSync('cp', ['-al', '--no-clobber', join(SHARED_CACHE, 'steps', key), join(cache, 'steps')]);
  }
}

/** The step cache a toolbox run under `cacheRoot` uses (building the toolbox when missing). */
export async function toolboxStepCache(cacheRoot: string): Promise<string> {
  const chosen = await createExecutor({ kind: 'toolbox', projectRoot: REPO_ROOT, cacheRoot, outRoot: join(cacheRoot, 'out'), signal: new AbortController().signal, log: () => undefined });
  assert.ok(chosen.ok, chosen.ok ? '' : chosen.error.message);
  return stepCacheRoot(cacheRoot, chosen.value.toolbox);
}
