/**
 * Runs one QEMU boot and watches the serial console until a line matches `until` (success),
 * a line matches `fail` (the guest refused), the guest stops, or the time runs out. Unlike
 * `bootToMarker`, the boot goes on past the identity marker, so later stages (root union,
 * switch_root, agent) can be asserted; every console line is kept for the caller.
 */
import type { Executor } from '../exec/types.js';
import { formatExecFailure } from '../exec/format.js';

export type WatchEnd = 'matched' | 'failed' | 'stopped' | 'timeout' | 'error';

export interface WatchResult {
  /** How the watch ended: `matched` (a line matched `until`), `failed` (a line matched `fail`), the guest `stopped` by itself, `timeout`, or an exec `error`. */
  end: WatchEnd;
  /** The line that ended the watch (matched/failed), if any. */
  line?: string;
  /** Seconds from QEMU's start to the end of the watch. */
  seconds: number;
  /** Every console line, in order. */
  lines: string[];
  /** Exec failure in plain words (end = error). */
  detail?: string;
}

export interface WatchOptions {
  until: RegExp;
  fail?: RegExp;
  signal: AbortSignal;
  timeoutMs: number;
  onLine?: (line: string) => void;
}

export async function bootAndWatch(executor: Executor, argv: string[], o: WatchOptions): Promise<WatchResult> {
  const started = Date.now();
  const stop = new AbortController();
  const lines: string[] = [];
  let ended: { end: WatchEnd; line: string; seconds: number } | undefined;
  const r = await executor.run({ argv, timeoutMs: o.timeoutMs, purpose: 'smoke boot' }, {
    signal: AbortSignal.any([o.signal, stop.signal]),
    onLine: (line) => {
      lines.push(line);
      o.onLine?.(line);
      if (ended) return;
      const end: WatchEnd | undefined = o.until.test(line) ? 'matched' : o.fail?.test(line) ? 'failed' : undefined;
      if (end) {
        ended = { end, line, seconds: (Date.now() - started) / 1000 };
        stop.abort();
      }
    },
  });
  if (ended) return { ...ended, lines };
  const seconds = (Date.now() - started) / 1000;
  if (r.ok) return { end: 'stopped', seconds, lines };
  if (r.error.code === 'timeout') return { end: 'timeout', seconds, lines };
  return { end: 'error', seconds, lines, detail: formatExecFailure(r.error) };
}
