/**
 * Step-level remoting. Steps mix commands with local file work (copying dracut inputs into an
 * extracted root, renaming outputs), so a single remote command cannot stand in for a step.
 * Instead the builder runs the whole step with its own copy of this CLI (`build step`):
 *   1. mirror the project's tracked files (variants/, manifests/, dracut/, modules.d/) under
 *      <workdir>/project and the dependencies' cache entries under <workdir>/cache/steps/<key>/
 *      (skipped when the builder already holds them, by sha256);
 *   2. run `build step --step ID --key KEY` there, streaming its output; the builder recomputes
 *      the plan from the same files and refuses if the key differs;
 *   3. download the step's record and outputs into the local staging directory, each file
 *      checked against the remote record's sha256 on both ends.
 * A dropped connection fails the attempt with 'disconnected'; the step then moves to the next
 * eligible builder. Any other failure is the step's own and is not retried.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { StepContext, StepImpl, StepRegistry } from '../steps/types.js';
import type { StepFailure, StepRecord } from '../run/types.js';
import type { CacheEntry } from '../run/cache.js';
import { PINS_FILE } from '../config/load.js';
import { TOOLBOX_FILE } from '../toolbox/config.js';
import type { BuilderPool } from './pool.js';
import type { SshExecutor } from './executor.js';
import { download, sha256Local, sha256Remote, upload, type FileTransfer } from './transfer.js';
import type { SshFailure } from './connection.js';
import { err, ok, type Result } from '../util/result.js';

const RETRYABLE = new Set<SshFailure['code']>(['ssh-connect', 'ssh-disconnected', 'ssh-transfer']);

type Attempt = Result<Record<string, unknown>, StepFailure | SshFailure>;

const asStepFailure = (f: SshFailure, step: string): StepFailure => ({ code: 'check', message: `${step} on ${f.builder}: ${f.code}: ${f.message}` });

/** The project files a builder needs to recompute the plan and run a step. */
async function projectFiles(ctx: StepContext, remoteRoot: string): Promise<FileTransfer[]> {
  const rel = [PINS_FILE, TOOLBOX_FILE, ...[...ctx.config.variants.values()].map((v) => v.file), ...ctx.config.inputs.map((i) => i.path)];
  const files: FileTransfer[] = [];
  for (const path of [...new Set(rel)].sort()) {
    const local = join(ctx.config.root, path);
    try {
      const mode = (await stat(local)).mode & 0o777;
      files.push({ local, remote: posix.join(remoteRoot, path), sha256: await sha256Local(local), mode });
    } catch { /* optional file (toolbox.yaml) */ }
  }
  return files;
}

async function entryFiles(entry: CacheEntry, remoteCache: string): Promise<FileTransfer[]> {
  const dir = posix.join(remoteCache, 'steps', entry.key);
  const record = join(entry.dir, '..', 'record.json');
  return [
    ...entry.record.files.map((f) => ({ local: join(entry.dir, f.path), remote: posix.join(dir, 'out', f.path), sha256: f.sha256 })),
    // The record last: the builder's cache only sees an entry once its files are in place.
    { local: record, remote: posix.join(dir, 'record.json'), sha256: await sha256Local(record) },
  ];
}

/** Uploads what the builder does not already hold (by sha256). */
async function sync(ex: SshExecutor, files: readonly FileTransfer[], signal: AbortSignal): Promise<Result<void, SshFailure>> {
  const have = new Map<string, string>();
  // Hash only what exists (sha256sum alone fails on the first missing file).
  const check = await ex.run({ argv: ['sh', '-c', 'for f; do [ -f "$f" ] && sha256sum -- "$f"; done; true', 'sh', ...files.map((f) => f.remote)], captureStdout: true }, { signal });
  if (!check.ok) return err({ code: check.error.code === 'disconnected' ? 'ssh-disconnected' : 'ssh-transfer', builder: ex.builder.name, message: 'listing the builder cache failed', cause: check.error });
  for (const line of check.value.stdout.split('\n')) { const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line); if (m?.[1] && m[2]) have.set(m[2], m[1]); }
  return upload(ex, files.filter((f) => have.get(f.remote) !== f.sha256), signal);
}

/** The line `build step` prints with the versions of the tools its preflight found. */
export const TOOLS_LINE = '@pnib-tools ';

/**
 * Tool versions reported by the builders, for the build manifest: one entry per program; when
 * two builders ran different versions of a program, both are recorded (`a | b`, sorted).
 */
export function mergeToolVersions(into: Record<string, string>, versions: Readonly<Record<string, string>>): void {
  for (const [program, version] of Object.entries(versions)) {
    const seen = new Set(into[program]?.split(' | ') ?? []);
    seen.add(version);
    into[program] = [...seen].sort().join(' | ');
  }
}

async function attempt(ctx: StepContext, ex: SshExecutor, reportTools: (versions: Record<string, string>) => void): Promise<Attempt> {
  const { workdir, command } = ex.builder;
  const project = posix.join(workdir, 'project');
  const cache = posix.join(workdir, 'cache');
  const files = [...(await projectFiles(ctx, project)), ...(await Promise.all([...ctx.deps.values()].map((e) => entryFiles(e, cache)))).flat()];
  ctx.log(`on ${ex.builder.name}: syncing ${files.length} files`);
  const synced = await sync(ex, files, ctx.signal);
  if (!synced.ok) return synced;
  const { step } = ctx;
  const argv = [...command, 'step', '--step', step.id, '--key', step.key, '--arch', step.arch, ...(step.variant ? ['--variant', step.variant] : []), '--project', project, '--cache-dir', cache];
  const onLine = (l: string, stream: 'stdout' | 'stderr'): void => {
    if (stream === 'stdout' && l.startsWith(TOOLS_LINE)) reportTools(JSON.parse(l.slice(TOOLS_LINE.length)) as Record<string, string>);
    else ctx.log(l);
  };
  const ran = await ex.run({ argv, purpose: `${step.id} on ${ex.builder.name}` }, { signal: ctx.signal, onLine });
  if (!ran.ok) return ran.error.code === 'disconnected' ? err({ code: 'ssh-disconnected', builder: ex.builder.name, message: 'connection dropped during the step', cause: ran.error }) : err({ code: 'exec', failure: ran.error });
  const entryDir = posix.join(cache, 'steps', step.key);
  const recordFile = join(ctx.workDir, 'remote-record.json');
  const sums = await sha256Remote(ex, [posix.join(entryDir, 'record.json')], ctx.signal);
  if (!sums.ok) return sums;
  const got = await download(ex, [{ local: recordFile, remote: posix.join(entryDir, 'record.json'), sha256: sums.value.get(posix.join(entryDir, 'record.json')) ?? '' }], ctx.signal);
  if (!got.ok) return got;
  const record = JSON.parse(await readFile(recordFile, 'utf8')) as StepRecord;
  if (record.key !== step.key) return err({ code: 'check', message: `${step.id}: the builder returned the entry for key ${record.key}` });
  const outs = record.files.map((f) => ({ local: join(ctx.outDir, f.path), remote: posix.join(entryDir, 'out', f.path), sha256: f.sha256 }));
  const fetched = await download(ex, outs, ctx.signal);
  return fetched.ok ? ok({ ...record.facts }) : fetched;
}

/**
 * Runs every step on the pool's builders, moving a step to another builder when its connection
 * drops. `toolVersions` collects what the builders report (see mergeToolVersions).
 */
export function remoteSteps(pool: BuilderPool, toolVersions: Record<string, string>): StepRegistry {
  const impl: StepImpl = {
    tools: () => [],
    async run(ctx) {
      const tried = new Set<string>();
      let last: SshFailure | undefined;
      for (;;) {
        const ex = await pool.acquire(ctx.step.arch, tried, ctx.signal);
        if (!ex) {
          return err(last ? asStepFailure(last, ctx.step.id) : { code: 'check', message: `${ctx.step.id}: no SSH builder serves ${ctx.step.arch}` });
        }
        tried.add(ex.name);
        try {
          const r = await attempt(ctx, ex, (v) => { mergeToolVersions(toolVersions, v); });
          // Facts stay deterministic: which builder ran the step is logged, not recorded.
          if (r.ok) { ctx.log(`built on ${ex.name}`); return r; }
          if (!('builder' in r.error)) return err(r.error);
          last = r.error;
          // The builder went away or could not take the files: another one may. A checksum
          // mismatch or an unpinned host key is not retried: it needs a person to look.
          if (!RETRYABLE.has(r.error.code)) return err(asStepFailure(r.error, ctx.step.id));
          ctx.log(`${ex.name}: ${r.error.message}; trying another builder`);
        } finally {
          pool.release(ex);
        }
      }
    },
  };
  return () => impl;
}
