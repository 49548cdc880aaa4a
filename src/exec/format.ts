/** Turns an ExecFailure into plain words: the command, how it ended, its last lines, a hint. */
import type { ExecFailure } from './types.js';
import { assertNever } from '../util/result.js';

export function quoteArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function howItEnded(f: ExecFailure): string {
  switch (f.code) {
    case 'exit':
      return f.exitCode === 127 ? 'exited with 127 (a program it runs was not found)' : `exited with code ${f.exitCode ?? '?'}`;
    case 'signal': return `was killed by ${f.signal ?? 'a signal'}`;
    case 'not-found': return 'could not start: the program is not installed';
    case 'timeout': return 'timed out and was terminated';
    case 'aborted': return 'was cancelled';
    case 'spawn': return `could not start: ${String((f.cause as Error | undefined)?.message ?? f.cause)}`;
    case 'disconnected': return 'lost its remote builder (the SSH connection dropped or could not be opened)';
    default: return assertNever(f.code, 'exec failure code');
  }
}

export function formatExecFailure(f: ExecFailure): string {
  const lines = [`${f.purpose ? `${f.purpose}: ` : ''}command ${howItEnded(f)}`, `  $ ${quoteArgv(f.argv)}`];
  if (f.tail.length > 0) lines.push('  last output:', ...f.tail.map((l) => `    ${l}`));
  if (f.hint) lines.push(`  hint: ${f.hint}`);
  return lines.join('\n');
}
