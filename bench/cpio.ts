// Our initramfs writer (newc + in-process gzip -9) against the classic shell recipe
// `find . | sort | cpio -o -H newc | gzip -n` (and with gzip -9n) on the same tree: output sizes,
// the size ratio ours/theirs, and wall times (best of ROUNDS, alternating, so load hits both).
//   node dist/bench/cpio.js [TREE]     (default: this project's node_modules)
import { stat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HostExecutor } from '../src/exec/host.js';
import { formatExecFailure } from '../src/exec/format.js';
import { writeInitramfs } from '../src/initramfs/write.js';

const ROUNDS = 2;
const executor = new HostExecutor();
const signal = new AbortController().signal;

async function timed(fn: () => Promise<void>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function gnu(tree: string, out: string, level: string): Promise<void> {
  const script = `find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 --reproducible | gzip -n ${level} > "$1"`;
  const r = await executor.run({ argv: ['sh', '-c', script, 'sh', out], cwd: tree }, { signal });
  if (!r.ok) throw new Error(formatExecFailure(r.error));
}

async function ours(tree: string, out: string): Promise<void> {
  const r = await writeInitramfs({ root: tree, inject: [], compress: 'gzip', sourceDateEpoch: 0, output: out }, { executor, signal });
  if (!r.ok) throw new Error(r.error.message);
}

async function main(): Promise<void> {
  const tree = resolve(process.argv[2] ?? join(import.meta.dirname, '..', '..', 'node_modules'));
  const work = await mkdtemp(join(tmpdir(), 'pnib-bench-cpio-'));
  try {
    const cases = { ours: (o: string) => ours(tree, o), 'gnu gzip -n': (o: string) => gnu(tree, o, ''), 'gnu gzip -9n': (o: string) => gnu(tree, o, '-9') };
    const best: Record<string, number> = {};
    const size: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, fn] of Object.entries(cases)) {
        const out = join(work, `${name.replace(/\W+/g, '-')}.gz`);
        const ms = await timed(() => fn(out));
        best[name] = Math.min(best[name] ?? Infinity, ms);
        size[name] = (await stat(out)).size;
      }
    }
    process.stdout.write(`tree: ${tree}\n`);
    for (const name of Object.keys(cases)) process.stdout.write(`${name.padEnd(14)} ${String(size[name]).padStart(12)} bytes  ${(best[name] ?? 0).toFixed(0).padStart(7)} ms\n`);
    const ratio = (a: string, b: string): string => `${((size[a] ?? 0) / (size[b] ?? 1)).toFixed(4)} size, ${((best[a] ?? 0) / (best[b] ?? 1)).toFixed(2)} time`;
    process.stdout.write(`ratio ours / gnu gzip -n : ${ratio('ours', 'gnu gzip -n')}\n`);
    process.stdout.write(`ratio ours / gnu gzip -9n: ${ratio('ours', 'gnu gzip -9n')}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
