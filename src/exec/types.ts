import type { Result } from '../util/result.js';

/** Where commands run. Step code builds an Invocation and never asks where it runs. Type-only. */

export interface Invocation {
  /** Program and arguments; never a shell string. */
  argv: readonly string[];
  /** Extra environment on top of the executor's base environment. */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** Milliseconds before the command is terminated (TERM, then KILL). */
  timeoutMs?: number;
  /** A file fed to the command's standard input (default: none). */
  stdinFile?: string;
  /** Collect stdout and return it (for small outputs such as version strings). */
  captureStdout?: boolean;
  /** A short plain-words description for failure messages ("build the root filesystem"). */
  purpose?: string;
  /** Hint shown when the command fails. */
  hint?: string;
}

export interface ExecOutput {
  stdout: string;
  durationMs: number;
}

export type ExecFailureCode = 'exit' | 'signal' | 'not-found' | 'timeout' | 'aborted' | 'spawn' | 'disconnected';

/** A failed command, with what a person needs to act on it. */
export interface ExecFailure {
  code: ExecFailureCode;
  argv: readonly string[];
  exitCode?: number;
  signal?: string;
  /** Last lines of stderr (and stdout interleaved where the tool logs there). */
  tail: readonly string[];
  purpose?: string;
  hint?: string;
  cause?: unknown;
}

export interface RunOptions {
  signal: AbortSignal;
  /** Called for each output line, for progress and logs. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface Executor {
  /** `host`, `sandbox`, `podman`, `ssh://...`: recorded in the manifest's run envelope. */
  readonly name: string;
  run(invocation: Invocation, options: RunOptions): Promise<Result<ExecOutput, ExecFailure>>;
  /** Absolute path of a program, or undefined when it is not installed where commands run. */
  which(program: string): Promise<string | undefined>;
}
