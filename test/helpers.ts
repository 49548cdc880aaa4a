/** Shared test helpers: the repo root, temp dirs, and running the real CLI. */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');
export const CLI = join(REPO_ROOT, 'bin', 'build.js');

/** The project's build inputs (variants/, manifests/, dracut/, modules.d/) copied to `dest`, to edit for a test. */
export async function copyProject(dest: string): Promise<void> {
  for (const d of ['variants', 'manifests', 'dracut', 'modules.d']) await cp(join(REPO_ROOT, d), join(dest, d), { recursive: true });
}

/** Replaces `from` (which must be there) by `to` in a file. */
export async function editFile(path: string, from: string, to: string): Promise<void> {
  const text = await readFile(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${path}: "${from}" not found`);
  await writeFile(path, text.replace(from, to));
}

export async function tempDir(prefix: string): Promise<{ path: string; [Symbol.asyncDispose](): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `pnib-${prefix}-`));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export function runCli(args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; onStderr?: (s: string) => void } = {}): Promise<CliResult> & { pid?: number } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, CI: 'true', ARCH: '', VARIANT: '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); opts.onStderr?.(d.toString()); });
  const done = new Promise<CliResult>((res) => { child.on('close', (code, signal) => { res({ code, signal, stdout, stderr }); }); });
  return Object.assign(done, { pid: child.pid });
}

/**
 * Step cache shared by the test files of one `npm test` run (scripts/run-tests.mjs makes it
 * fresh per run), so the real root filesystem is bootstrapped once per run and reused.
 */
export const SHARED_CACHE = join(process.env.POWERNODE_TEST_SHARED ?? join(tmpdir(), 'pnib-test-shared'), 'cache');
export const SHARED_OUT = join(process.env.POWERNODE_TEST_SHARED ?? join(tmpdir(), 'pnib-test-shared'), 'out');

/** sha256 lines of a cell's SHA256SUMS, as a map path -> hash. */
export async function sums(cellDir: string): Promise<Record<string, string>> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(join(cellDir, 'SHA256SUMS'), 'utf8');
  return Object.fromEntries(text.trim().split('\n').map((l) => { const [h, p] = l.split(/\s+/); return [p ?? '', h ?? '']; }));
}
