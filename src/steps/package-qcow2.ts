/**
 * qcow2: the raw image of the same arch converted with `qemu-img convert` (reproducible, with or
 * without compression). Boots exactly like the raw image it came from.
 */
import { join } from 'node:path';
import type { StepImpl } from './types.js';
import { TOOLS } from '../exec/tools.js';
import { stepId } from '../plan/graph.js';
import { RAW_FILE } from './package-raw.js';
import { err, ok } from '../util/result.js';

export const QCOW2_FILE = 'disk.qcow2';

type Compression = 'none' | 'zlib' | 'zstd';

/** qemu-img argv. Pure. zlib is qcow2's default compression type; zstd must be asked for. */
export function qemuImgConvertArgv(raw: string, out: string, compression: Compression): string[] {
  const compress = compression === 'none' ? [] : ['-c', '-o', `compression_type=${compression}`];
  return ['qemu-img', 'convert', '-q', '-f', 'raw', '-O', 'qcow2', ...compress, raw, out];
}

export const qcow2Packager: StepImpl = {
  tools: () => [TOOLS.qemuImg],
  async run(ctx) {
    const variant = ctx.config.variants.get(ctx.step.variant ?? '');
    if (variant?.packager.type !== 'qcow2') throw new Error(`invariant: ${ctx.step.id} misplanned`);
    const { from, compression } = variant.packager;
    const source = ctx.deps.get(stepId(from, ctx.step.arch));
    if (!source) throw new Error(`invariant: ${ctx.step.id} runs without ${from}@${ctx.step.arch}`);
    if (!source.record.files.some((f) => f.path === RAW_FILE)) {
      return err({ code: 'check', message: `${ctx.step.id}: "${from}" produced no ${RAW_FILE} (qcow2 converts raw images)` });
    }
    const r = await ctx.exec({ argv: qemuImgConvertArgv(join(source.dir, RAW_FILE), join(ctx.outDir, QCOW2_FILE), compression), purpose: 'convert the raw image to qcow2' });
    if (!r.ok) return err({ code: 'exec', failure: r.error });
    return ok({ from: `${from}@${ctx.step.arch}`, compression, source_facts: source.record.facts });
  },
};
