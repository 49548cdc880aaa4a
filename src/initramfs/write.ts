/**
 * `build initramfs`: a directory tree (plus injected files and an /init) packed as a
 * reproducible newc cpio and compressed. gzip runs in-process on the stream (no temporary
 * cpio); zstd has no Node binding here, so the cpio is staged and `zstd` runs through the
 * executor. Written to a temporary name and renamed into place: no half-written output.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlib } from 'node:zlib';
import type { Executor } from '../exec/types.js';
import { formatExecFailure } from '../exec/format.js';
import { planArchive } from './plan.js';
import { newcStream, TreeChangedError } from './stream.js';
import { overlay, scanTree } from './tree.js';
import type { InitramfsFailure, InitramfsResult, InitramfsSpec } from './types.js';
import { err, ok, type Result } from '../util/result.js';

export interface WriteOptions { executor: Executor; signal: AbortSignal }

/** zstd level for initramfs images: the kernel decompresses any level at the same speed. */
export const ZSTD_LEVEL = 19;

function counter(): { transform: Transform; bytes: () => number } {
  let n = 0;
  const transform = new Transform({ transform(chunk: Buffer, _enc, cb) { n += chunk.length; cb(null, chunk); } });
  return { transform, bytes: () => n };
}

async function sha256File(path: string): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return { sha256: h.digest('hex'), size: (await stat(path)).size };
}

function streamFailure(cause: unknown, spec: InitramfsSpec): InitramfsFailure {
  if (cause instanceof RangeError) return { code: 'too-large', message: cause.message, cause };
  if (cause instanceof TreeChangedError) return { code: 'io', message: cause.message, cause };
  return { code: 'io', message: `write ${spec.output}: ${cause instanceof Error ? cause.message : String(cause)}`, cause };
}

export async function writeInitramfs(spec: InitramfsSpec, o: WriteOptions): Promise<Result<InitramfsResult, InitramfsFailure>> {
  const scanned = await scanTree(spec.root);
  if (!scanned.ok) return scanned;
  const injections = [...spec.inject, ...(spec.init ? [{ src: spec.init, dst: 'init' }] : [])];
  const entries = await overlay(scanned.value, injections, spec.sourceDateEpoch);
  if (!entries.ok) return entries;
  const records = planArchive(entries.value, spec.sourceDateEpoch);
  const tmp = `${spec.output}.tmp-${process.pid}`;
  const cpio = `${tmp}.cpio`;
  const raw = counter();
  try {
    const source = Readable.from(newcStream(records));
    // Node's zlib writes a gzip header with mtime 0 and no name: the same bytes on every run.
    if (spec.compress === 'gzip') await pipeline(source, raw.transform, createGzip({ level: zlib.Z_BEST_COMPRESSION }), createWriteStream(tmp), { signal: o.signal });
    else await pipeline(source, raw.transform, createWriteStream(spec.compress === 'zstd' ? cpio : tmp), { signal: o.signal });
    if (spec.compress === 'zstd') {
      const z = await o.executor.run({ argv: ['zstd', '-q', `-${ZSTD_LEVEL}`, '-f', '-o', tmp, cpio], purpose: 'compress the initramfs', hint: 'install zstd or use --compress gzip' }, { signal: o.signal });
      if (!z.ok) return err({ code: 'compress', message: formatExecFailure(z.error), cause: z.error });
    }
    await rename(tmp, spec.output);
  } catch (cause) {
    return err(streamFailure(cause, spec));
  } finally {
    await rm(tmp, { force: true });
    await rm(cpio, { force: true });
  }
  const digest = await sha256File(spec.output);
  return ok({ output: spec.output, ...digest, entries: records.length, cpioBytes: raw.bytes() });
}
