/**
 * `build initramfs --from <dir|oci://ref> [--inject SRC:DST]... [--init FILE]
 *  [--compress gzip|zstd|none] --output FILE` (`-o FILE` works too: with this command the
 * common -o/--out names the output file).
 */
import { resolve } from 'node:path';
import type { ParsedArgs } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { HostExecutor } from '../../exec/host.js';
import { writeInitramfs } from '../../initramfs/write.js';
import type { Compression, Injection } from '../../initramfs/types.js';
import { resolveSource } from '../../sources/resolve-source.js';
import { err, ok, type Result } from '../../util/result.js';

export interface InitramfsOptions {
  from: string;
  inject: Injection[];
  init: string | undefined;
  compress: Compression;
  output: string;
  sourceDateEpoch: number;
}

const COMPRESSIONS: readonly Compression[] = ['gzip', 'zstd', 'none'];

/** Options from the command line and environment; every problem at once. Pure. */
export function initramfsOptions(args: ParsedArgs, env: NodeJS.ProcessEnv): Result<InitramfsOptions, string[]> {
  const v = args.values;
  const problems: string[] = [];
  const from = typeof v.from === 'string' ? v.from : undefined;
  if (!from) problems.push('--from DIR|oci://REF is required');
  const output = typeof v.output === 'string' ? v.output : typeof v.out === 'string' ? v.out : undefined;
  if (!output) problems.push('--output FILE (or -o FILE) is required');
  const compress = typeof v.compress === 'string' ? v.compress : 'gzip';
  if (!(COMPRESSIONS as readonly string[]).includes(compress)) problems.push(`--compress: expected gzip, zstd or none, got "${compress}"`);
  const inject: Injection[] = [];
  for (const spec of Array.isArray(v.inject) ? v.inject : []) {
    const i = spec.indexOf(':');
    if (i <= 0 || i === spec.length - 1) problems.push(`--inject: expected SRC:DST, got "${spec}"`);
    else inject.push({ src: resolve(spec.slice(0, i)), dst: spec.slice(i + 1) });
  }
  const sdeText = env.SOURCE_DATE_EPOCH ?? '0';
  const sourceDateEpoch = Number(sdeText);
  if (!/^\d+$/.test(sdeText) || !Number.isSafeInteger(sourceDateEpoch)) problems.push(`SOURCE_DATE_EPOCH: expected Unix seconds, got "${sdeText}"`);
  if (problems.length > 0 || !from || !output) return err(problems);
  return ok({ from, inject, init: typeof v.init === 'string' ? resolve(v.init) : undefined, compress: compress as Compression, output: resolve(output), sourceDateEpoch });
}

export async function initramfsCommand(args: ParsedArgs, controller: AbortController): Promise<ExitCode> {
  const opts = initramfsOptions(args, process.env);
  if (!opts.ok) { process.stderr.write(opts.error.map((p) => `initramfs: ${p}\n`).join('')); return EXIT.usage; }
  const executor = new HostExecutor();
  const log = (line: string): void => { if (!args.common.json) process.stderr.write(`${line}\n`); };
  const source = await resolveSource(opts.value.from, { cacheDir: args.common.cacheDir, arch: args.common.selection.arches[0], executor, signal: controller.signal, log });
  if (!source.ok) { process.stderr.write(`initramfs: ${source.error.message}\n`); return EXIT.stepFailed; }
  const r = await writeInitramfs({ root: source.value.root, inject: opts.value.inject, init: opts.value.init, compress: opts.value.compress, sourceDateEpoch: opts.value.sourceDateEpoch, output: opts.value.output }, { executor, signal: controller.signal });
  if (!r.ok) { process.stderr.write(`initramfs: ${r.error.message}\n`); return EXIT.stepFailed; }
  const result = { ...r.value, compress: opts.value.compress, source_date_epoch: opts.value.sourceDateEpoch, source: source.value.record };
  if (args.common.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${r.value.output}: ${r.value.entries} entries, ${r.value.cpioBytes} bytes of cpio, ${r.value.size} bytes ${opts.value.compress}, sha256:${r.value.sha256}\n`);
  return EXIT.ok;
}
