/**
 * Runs one QEMU boot and waits for the 90powernode marker on the serial console; optionally
 * for one more line (`until`) that proves another stage, e.g. the root mount, and for a line
 * (`fail`) that ends the boot at once as refused.
 */
import type { Executor } from '../exec/types.js';
import { formatExecFailure } from '../exec/format.js';
import { MARKER } from './qemu.js';
import { err, ok, type Result } from '../util/result.js';
import { Tail } from '../exec/lines.js';

export interface BootSuccess {
  marker: string;
  identity: string;
  /** Seconds from start to the marker. */
  seconds: number;
  /** The line that matched `until`, when asked for. */
  confirmed?: string;
}

export interface BootOptions {
  signal: AbortSignal;
  timeoutMs: number;
  onLine?: (l: string) => void;
  /**
   * Also wait for a line matching this, before or after the marker: 90powernode mounts a
   * root=powernode union (POWERNODE-ROOT-OK) before a deferred identity claim prints the marker.
   */
  until?: RegExp;
  /** A line matching this fails the boot at once (e.g. POWERNODE-ROOT-REFUSED). */
  fail?: RegExp;
}

export async function bootToMarker(executor: Executor, argv: string[], opts: BootOptions): Promise<Result<BootSuccess, string>> {
  const started = Date.now();
  const stop = new AbortController();
  const tail = new Tail(30);
  let found: BootSuccess | undefined;
  let confirmed: string | undefined;
  let failed: string | undefined;
  const done = (): boolean => found !== undefined && (!opts.until || confirmed !== undefined);
  const r = await executor.run({ argv, timeoutMs: opts.timeoutMs, purpose: 'smoke boot' }, {
    signal: AbortSignal.any([opts.signal, stop.signal]),
    onLine: (line) => {
      tail.push(line);
      opts.onLine?.(line);
      if (failed !== undefined || done()) return;
      const m = MARKER.exec(line);
      if (m && !found) found = { marker: m[0], identity: m[1] ?? '', seconds: (Date.now() - started) / 1000 };
      if (opts.until && confirmed === undefined && opts.until.test(line)) confirmed = line.trim();
      if (opts.fail?.test(line)) failed = line.trim();
      if (failed !== undefined || done()) stop.abort();
    },
  });
  if (failed !== undefined) return err(`the guest refused: ${failed}; last console lines:\n  ${tail.lines().join('\n  ')}`);
  if (found && done()) return ok(confirmed === undefined ? found : { ...found, confirmed });
  const lines = `last console lines:\n  ${tail.lines().join('\n  ')}`;
  if (found) return err(`marker seen, but no line matching ${String(opts.until)}; ${lines}`);
  if (r.ok) return err(`the guest stopped without printing the marker; ${lines}`);
  if (r.error.code === 'timeout') return err(`no marker within ${opts.timeoutMs / 1000} s; ${lines}`);
  return err(formatExecFailure(r.error));
}
