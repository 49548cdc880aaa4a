/**
 * The SSH executor: runs an argv on a builder over one reused connection, streaming its lines.
 * A connection that drops mid-command fails that command with code 'disconnected' (the
 * scheduler's retry may move the step to another builder). Cancelling sends TERM over the
 * channel, then closes the connection, which makes sshd hang up the session.
 */
import { createReadStream } from 'node:fs';
import type { Client } from 'ssh2';
import type { ExecFailure, ExecOutput, Executor, Invocation, RunOptions } from '../exec/types.js';
import type { Builder } from './builders.js';
import { connect, type SshFailure } from './connection.js';
import { remoteCommand, shQuote } from './quote.js';
import { LineSplitter, Tail } from '../exec/lines.js';
import { err, ok, type Result } from '../util/result.js';

const TAIL_LINES = 25;
const KILL_GRACE_MS = 5000;

export class SshExecutor implements Executor {
  readonly name: string;
  private client: Promise<Result<Client, SshFailure>> | undefined;
  constructor(readonly builder: Builder) { this.name = `ssh://${builder.name}`; }

  /** The live connection, opened on first use and again after a drop. */
  connection(signal: AbortSignal): Promise<Result<Client, SshFailure>> {
    this.client ??= connect(this.builder, signal).then((r) => {
      if (!r.ok) { this.client = undefined; return r; }
      r.value.once('close', () => { this.client = undefined; });
      return r;
    });
    return this.client;
  }

  close(): void {
    void this.client?.then((r) => { if (r.ok) r.value.end(); });
    this.client = undefined;
  }

  async which(program: string): Promise<string | undefined> {
    const r = await this.run({ argv: ['sh', '-c', 'command -v "$1"', 'sh', program], captureStdout: true }, { signal: new AbortController().signal });
    return r.ok ? r.value.stdout.trim() || undefined : undefined;
  }

  async run(inv: Invocation, opts: RunOptions): Promise<Result<ExecOutput, ExecFailure>> {
    const tail = new Tail(TAIL_LINES);
    const failure = (f: Omit<ExecFailure, 'argv' | 'tail' | 'purpose'>): ExecFailure =>
      ({ argv: inv.argv, tail: tail.lines(), purpose: inv.purpose, hint: inv.hint, ...f });
    if (opts.signal.aborted) return err(failure({ code: 'aborted' }));
    const conn = await this.connection(opts.signal);
    if (!conn.ok) return err(failure({ code: 'disconnected', cause: conn.error, hint: conn.error.message }));
    const started = Date.now();
    const command = remoteCommand(inv) + (inv.stdinFile ? '' : ' </dev/null');
    return new Promise((resolveRun) => {
      conn.value.exec(command, (e, channel) => {
        if (e) { resolveRun(err(failure({ code: 'disconnected', cause: e }))); return; }
        let stdout = '';
        let exit: { code: number | null; signal?: string } | undefined;
        const state = { aborted: false, timedOut: false };
        const stop = (): void => {
          channel.signal('TERM');
          setTimeout(() => { channel.close(); }, KILL_GRACE_MS).unref();
        };
        const onAbort = (): void => { state.aborted = true; stop(); };
        opts.signal.addEventListener('abort', onAbort, { once: true });
        const timer = inv.timeoutMs ? setTimeout(() => { state.timedOut = true; stop(); }, inv.timeoutMs) : undefined;
        const splitters = (['stdout', 'stderr'] as const).map((name) => {
          const quiet = name === 'stdout' && inv.captureStdout === true;
          return new LineSplitter((line) => { if (!quiet) { tail.push(line); opts.onLine?.(line, name); } });
        });
        channel.on('data', (chunk: Buffer) => { if (inv.captureStdout) stdout += chunk.toString('utf8'); splitters[0]?.push(chunk); });
        channel.stderr.on('data', (chunk: Buffer) => { splitters[1]?.push(chunk); });
        channel.on('exit', (code: number | null, signal?: string) => { exit = { code, signal }; });
        channel.on('close', () => {
          splitters.forEach((s) => { s.end(); });
          opts.signal.removeEventListener('abort', onAbort);
          if (timer) clearTimeout(timer);
          if (state.aborted) resolveRun(err(failure({ code: 'aborted' })));
          else if (state.timedOut) resolveRun(err(failure({ code: 'timeout' })));
          // No exit status: the connection went away under the command.
          else if (!exit) resolveRun(err(failure({ code: 'disconnected', hint: `the connection to ${this.builder.name} dropped while the command ran` })));
          else if (exit.signal) resolveRun(err(failure({ code: 'signal', signal: `SIG${exit.signal}` })));
          else if (exit.code !== 0) resolveRun(err(failure({ code: 'exit', exitCode: exit.code ?? -1 })));
          else resolveRun(ok({ stdout, durationMs: Date.now() - started }));
        });
        if (inv.stdinFile) createReadStream(inv.stdinFile).pipe(channel);
      });
    });
  }
}

export { shQuote };
