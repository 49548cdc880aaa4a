/**
 * The build matrix, measured in one run (these machines are noisy: compare ratios, not times):
 *   cold     all selected cells with one shared cache (shared stages built once per arch)
 *   naive    the seed's build.sh loop: every cell from scratch with its own empty cache
 *   warm     a no-op rebuild of the cold run (goal: <= 5 s)
 *   module   a one-line change in modules.d/ (only the initramfs and its dependents rebuild)
 * Selection: BENCH_ARCH (default amd64), BENCH_VARIANTS (default: every variant this version builds).
 * Usage: npm run build:ts && node dist/bench/matrix.js
 */
import { spawnSync } from 'node:child_process';
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { buildPlan } from '../src/plan/graph.js';
import { unsupportedCells } from '../src/steps/registry.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'build.js');
const arch = process.env.BENCH_ARCH ?? 'amd64';

function run(args: string[]): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: '1' } });
  if (r.status !== 0) throw new Error(`build ${args.join(' ')} exited ${String(r.status)}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The selected variants this version can build (others are planned but have no packager yet). */
async function buildableVariants(): Promise<string[]> {
  const config = await loadConfig(ROOT);
  if (!config.ok) throw new Error('configuration errors: run `build plan` to see them');
  const wanted = process.env.BENCH_VARIANTS?.split(',') ?? [...config.value.variants.keys()];
  return wanted.filter((v) => {
    const plan = buildPlan(config.value, { arches: [arch], variants: [v] });
    return plan.ok && unsupportedCells(plan.value).length === 0;
  });
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'pnib-bench-'));
  try {
    const loadBefore = loadavg();
    const variants = await buildableVariants();
    const sel = ['--arch', arch, '--variant', variants.join(',')];
    process.stderr.write(`bench: ${variants.length} cell(s) for ${arch}: ${variants.join(', ')}\n`);
    const cold = run([...sel, '--out', join(work, 'out'), '--cache-dir', join(work, 'cache')]);
    const warm = run([...sel, '--out', join(work, 'out'), '--cache-dir', join(work, 'cache')]);
    const project = join(work, 'project');
    for (const d of ['variants', 'manifests', 'dracut', 'modules.d']) await cp(join(ROOT, d), join(project, d), { recursive: true });
    await appendFile(join(project, 'modules.d/90powernode/powernode-init.sh'), '# bench\n');
    const module = run([...sel, '--project', project, '--out', join(work, 'out2'), '--cache-dir', join(work, 'cache')]);
    let naive = 0;
    for (const v of variants) {
      naive += run(['--arch', arch, '--variant', v, '--out', join(work, `naive-${v}`), '--cache-dir', join(work, `naive-cache-${v}`)]);
      await rm(join(work, `naive-cache-${v}`), { recursive: true, force: true });
    }
    const f = (s: number): string => `${s.toFixed(1)} s`;
    const load = (l: number[]): string => l.map((x) => x.toFixed(1)).join(' ');
    process.stdout.write([
      `machine            ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load ${load(loadBefore)} before, ${load(loadavg())} after`,
      `cells              ${variants.length} (${arch}: ${variants.join(', ')})`,
      `cold matrix        ${f(cold)}`,
      `naive loop         ${f(naive)}   cold/naive = ${(cold / naive).toFixed(2)}x (goal <= 0.3x with the full matrix)`,
      `warm no-op         ${f(warm)}   warm/cold = ${(warm / cold).toFixed(3)}x (goal <= 5 s)`,
      `modules.d change   ${f(module)}   module/cold = ${(module / cold).toFixed(2)}x`,
    ].join('\n') + '\n');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
