/**
 * Says where two differing files diverge: diffoscope when installed, else our own listing diff
 * for tar archives and the first differing byte (cmp) for anything else.
 */
import type { Executor } from '../exec/types.js';

const MAX_LINES = 30;

function firstDifferentLine(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  const i = la.findIndex((line, n) => line !== lb[n]);
  const at = i === -1 ? la.length : i;
  return `first differing entry (line ${at + 1}):\n    a: ${la[at] ?? '<end>'}\n    b: ${lb[at] ?? '<end>'}`;
}

export async function explainDifference(executor: Executor, a: string, b: string, signal: AbortSignal): Promise<string> {
  if (await executor.which('diffoscope')) {
    const r = await executor.run({ argv: ['diffoscope', '--text', '-', '--max-text-report-size', '20000', a, b], captureStdout: true }, { signal });
    const text = r.ok ? r.value.stdout : r.error.tail.join('\n');
    return text.split('\n').slice(0, MAX_LINES).join('\n');
  }
  if (a.endsWith('.tar')) {
    const [ta, tb] = await Promise.all([a, b].map((f) => executor.run({ argv: ['tar', '--full-time', '-tvf', f], captureStdout: true, env: { TZ: 'UTC' } }, { signal })));
    if (ta?.ok && tb?.ok) return firstDifferentLine(ta.value.stdout, tb.value.stdout);
  }
  const c = await executor.run({ argv: ['cmp', a, b], captureStdout: true }, { signal });
  return c.ok ? 'identical bytes' : (c.error.tail.join(' ') || 'differ');
}
