/** Runs one QEMU boot and waits for the 90powernode marker on the serial console. */
import type { Executor } from '../exec/types.js';
import { formatExecFailure } from '../exec/format.js';
import { MARKER } from './qemu.js';
import { err, ok, type Result } from '../util/result.js';
import { Tail } from '../exec/lines.js';

export interface BootSuccess { marker: string; identity: string; seconds: number }

export async function bootToMarker(executor: Executor, argv: string[], opts: { signal: AbortSignal; timeoutMs: number; onLine?: (l: string) => void }): Promise<Result<BootSuccess, string>> {
  const started = Date.now();
  const stop = new AbortController();
  const tail = new Tail(30);
  let found: BootSuccess | undefined;
  const r = await executor.run({ argv, timeoutMs: opts.timeoutMs, purpose: 'smoke boot' }, {
    signal: AbortSignal.any([opts.signal, stop.signal]),
    onLine: (line) => {
      tail.push(line);
      opts.onLine?.(line);
      const m = MARKER.exec(line);
      if (m && !found) {
        found = { marker: m[0], identity: m[1] ?? '', seconds: (Date.now() - started) / 1000 };
        stop.abort();
      }
    },
  });
  if (found) return ok(found);
  if (r.ok) return err(`the guest stopped without printing the marker; last console lines:\n  ${tail.lines().join('\n  ')}`);
  if (r.error.code === 'timeout') return err(`no marker within ${opts.timeoutMs / 1000} s; last console lines:\n  ${tail.lines().join('\n  ')}`);
  return err(formatExecFailure(r.error));
}
