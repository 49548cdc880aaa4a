/**
 * Files to and from a builder over SFTP. fastPut/fastGet (parallel requests; a write stream is
 * ~50x slower), then the sha256 is checked on both ends: `sha256sum` on the remote, the
 * digest from the local cache record (or a local hash) here.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import type { SshExecutor } from './executor.js';
import type { SshFailure } from './connection.js';
import { err, ok, type Result } from '../util/result.js';

export async function sha256Local(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sftp(ex: SshExecutor, signal: AbortSignal): Promise<Result<SFTPWrapper, SshFailure>> {
  const conn = await ex.connection(signal);
  if (!conn.ok) return conn;
  return new Promise((res) => {
    conn.value.sftp((e, s) => { res(e ? err({ code: 'ssh-disconnected', builder: ex.builder.name, message: `SFTP: ${e.message}`, cause: e }) : ok(s)); });
  });
}

/** sha256 of remote files, by path (`sha256sum` on the builder). */
export async function sha256Remote(ex: SshExecutor, paths: readonly string[], signal: AbortSignal): Promise<Result<Map<string, string>, SshFailure>> {
  if (paths.length === 0) return ok(new Map());
  const r = await ex.run({ argv: ['sha256sum', '--', ...paths], captureStdout: true }, { signal });
  if (!r.ok) return err({ code: r.error.code === 'disconnected' ? 'ssh-disconnected' : 'ssh-transfer', builder: ex.builder.name, message: `sha256sum on ${ex.builder.name} failed`, cause: r.error });
  const sums = new Map<string, string>();
  // sha256sum escapes names with "\" or newlines by prefixing the line with "\": not our paths.
  for (const line of r.value.stdout.split('\n')) { const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line); if (m?.[1] && m[2]) sums.set(m[2], m[1]); }
  return ok(sums);
}

export interface FileTransfer {
  local: string;
  remote: string;
  sha256: string;
  /** Permission bits to set on the uploaded file (project inputs: the exec bit is part of their hash). */
  mode?: number;
}

type Move = (s: SFTPWrapper, t: FileTransfer) => Promise<Error | undefined>;
const put: Move = (s, t) => new Promise((res) => {
  s.fastPut(t.local, t.remote, (e) => {
    if (e || t.mode === undefined) { res(e ?? undefined); return; }
    s.chmod(t.remote, t.mode, (c) => { res(c ?? undefined); });
  });
});
const get: Move = (s, t) => new Promise((res) => { s.fastGet(t.remote, t.local, (e) => { res(e ?? undefined); }); });

async function move(ex: SshExecutor, files: readonly FileTransfer[], dir: 'up' | 'down', signal: AbortSignal): Promise<Result<void, SshFailure>> {
  if (files.length === 0) return ok(undefined);
  const s = await sftp(ex, signal);
  if (!s.ok) return s;
  try {
    if (dir === 'up') {
      const dirs = [...new Set(files.map((f) => posix.dirname(f.remote)))].sort();
      const mk = await ex.run({ argv: ['mkdir', '-p', '--', ...dirs] }, { signal });
      if (!mk.ok) return err({ code: mk.error.code === 'disconnected' ? 'ssh-disconnected' : 'ssh-transfer', builder: ex.builder.name, message: 'mkdir on the builder failed', cause: mk.error });
    } else {
      await Promise.all(files.map((f) => mkdir(dirname(f.local), { recursive: true })));
    }
    for (const f of files) {
      if (signal.aborted) return err({ code: 'ssh-transfer', builder: ex.builder.name, message: 'cancelled' });
      const e = await (dir === 'up' ? put : get)(s.value, f);
      if (e) return err({ code: 'ssh-transfer', builder: ex.builder.name, message: `${dir === 'up' ? 'upload of' : 'download of'} ${dir === 'up' ? f.local : f.remote} failed: ${e.message}`, cause: e });
    }
  } finally {
    s.value.end();
  }
  return verify(ex, files, dir, signal);
}

/** Both ends must hold the expected bytes: the remote by sha256sum, the local by hashing. */
async function verify(ex: SshExecutor, files: readonly FileTransfer[], dir: 'up' | 'down', signal: AbortSignal): Promise<Result<void, SshFailure>> {
  const remote = await sha256Remote(ex, files.map((f) => f.remote), signal);
  if (!remote.ok) return remote;
  for (const f of files) {
    const there = remote.value.get(f.remote);
    const here = dir === 'down' ? await sha256Local(f.local) : f.sha256;
    if (there !== f.sha256 || here !== f.sha256) {
      return err({ code: 'ssh-checksum', builder: ex.builder.name, message: `sha256 mismatch for ${f.remote}: expected ${f.sha256}, builder has ${there ?? 'nothing'}, local copy has ${here}` });
    }
  }
  return ok(undefined);
}

export const upload = (ex: SshExecutor, files: readonly FileTransfer[], signal: AbortSignal): Promise<Result<void, SshFailure>> => move(ex, files, 'up', signal);
export const download = (ex: SshExecutor, files: readonly FileTransfer[], signal: AbortSignal): Promise<Result<void, SshFailure>> => move(ex, files, 'down', signal);
