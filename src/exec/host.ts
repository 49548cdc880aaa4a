/**
 * The host executor: runs argv arrays with execa. The only module that spawns processes.
 * Each command leads its own process group so cancellation reaches its grandchildren
 * (mmdebstrap, dracut and qemu all fork): TERM to the group, then KILL after a grace period.
 */
import { execa } from 'execa';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { ExecFailure, ExecOutput, Executor, Invocation, RunOptions } from './types.js';
import { err, ok, type Result } from '../util/result.js';
import { LineSplitter, Tail } from './lines.js';

const KILL_GRACE_MS = 5000;
const TAIL_LINES = 25;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try { process.kill(-pid, signal); } catch { /* already gone */ }
}

export class HostExecutor implements Executor {
  readonly name = 'host';
  constructor(private readonly baseEnv: Readonly<Record<string, string | undefined>> = process.env) {}

  async which(program: string): Promise<string | undefined> {
    if (program.includes('/')) return (await isExecutable(program)) ? program : undefined;
    for (const dir of (this.baseEnv.PATH ?? '').split(delimiter).filter(Boolean)) {
      const candidate = join(dir, program);
      if (await isExecutable(candidate)) return candidate;
    }
    return undefined;
  }

  async run(inv: Invocation, opts: RunOptions): Promise<Result<ExecOutput, ExecFailure>> {
    const [file, ...args] = inv.argv;
    if (file === undefined) throw new Error('invariant: empty argv');
    const started = Date.now();
    const tail = new Tail(TAIL_LINES);
    const failure = (f: Omit<ExecFailure, 'argv' | 'tail' | 'purpose' | 'hint'>): ExecFailure =>
      ({ ...f, argv: inv.argv, tail: tail.lines(), purpose: inv.purpose, hint: inv.hint });
    if (opts.signal.aborted) return err(failure({ code: 'aborted' }));
    const child = execa(file, args, {
      env: { ...this.baseEnv, ...inv.env }, extendEnv: false, cwd: inv.cwd, detached: true,
      stdin: inv.stdinFile ? { file: inv.stdinFile } : 'ignore', buffer: false, reject: false, stripFinalNewline: false,
    });
    let stdout = '';
    const state = { timedOut: false };
    const terminate = (): void => {
      killGroup(child.pid, 'SIGTERM');
      setTimeout(() => { killGroup(child.pid, 'SIGKILL'); }, KILL_GRACE_MS).unref();
    };
    opts.signal.addEventListener('abort', terminate, { once: true });
    const timer = inv.timeoutMs ? setTimeout(() => { state.timedOut = true; terminate(); }, inv.timeoutMs) : undefined;
    for (const [stream, name] of [[child.stdout, 'stdout'], [child.stderr, 'stderr']] as const) {
      // Captured stdout is data (a listing, a status file), not progress: keep it out of logs.
      const quiet = name === 'stdout' && inv.captureStdout === true;
      const split = new LineSplitter((line) => { if (!quiet) { tail.push(line); opts.onLine?.(line, name); } });
      stream.on('data', (chunk: Buffer) => {
        if (name === 'stdout' && inv.captureStdout) stdout += chunk.toString('utf8');
        split.push(chunk);
      });
      stream.on('end', () => { split.end(); });
    }
    const result = await child;
    opts.signal.removeEventListener('abort', terminate);
    if (timer) clearTimeout(timer);
    // The leader is gone; anything it left behind in its group must not outlive the step.
    killGroup(child.pid, 'SIGKILL');
    if (isAborted(opts.signal)) return err(failure({ code: 'aborted' }));
    if (state.timedOut) return err(failure({ code: 'timeout' }));
    if (result.failed && result.exitCode === undefined && result.signal === undefined) {
      const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
      return err(failure({ code: code === 'ENOENT' ? 'not-found' : 'spawn', cause: result.cause }));
    }
    if (result.signal) return err(failure({ code: 'signal', signal: result.signal }));
    if (result.exitCode !== 0) return err(failure({ code: 'exit', exitCode: result.exitCode ?? -1 }));
    return ok({ stdout, durationMs: Date.now() - started });
  }
}

/** Read through a call: the signal changes while we await, which narrowing cannot see. */
const isAborted = (signal: AbortSignal): boolean => signal.aborted;

async function isExecutable(path: string): Promise<boolean> {
  try { await access(path, constants.X_OK); return true; } catch { return false; }
}
