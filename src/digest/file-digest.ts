// Digests a file for the manifest: its plain SHA-256 and its fs-verity digest, from ONE read of the
// file. Large files are read once into shared memory; the main thread feeds the whole-file SHA-256
// (inherently sequential) while a worker hashes the 4096-byte data blocks of the same chunks (the
// expensive part of the fs-verity tree), so the two run on separate cores.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import pLimit from 'p-limit';
import { BLOCK_SIZE, HASH_SIZE, MerkleTreeBuilder, hashBlocks } from './fsverity.js';
import type { FsVerityDigestHex } from './fsverity.js';
import type { Level0Reply, Level0Request, Level0WorkerData } from './level0-worker.js';

export type { FsVerityDigestHex } from './fsverity.js';

/** Lowercase hex of a plain SHA-256 (what `sha256sum` prints). */
export type Sha256Hex = string & { readonly __brand: 'Sha256Hex' };

export interface FileDigest {
  /** Path as given by the caller (not resolved). */
  path: string;
  /** Bytes read, which is the size that both digests cover. */
  size: number;
  /** SHA-256 of the contents. */
  sha256: Sha256Hex;
  /** fs-verity digest (SHA-256, 4096-byte blocks, no salt); named after the manifest field. */
  fsverity_root_hash: FsVerityDigestHex;
}

/** Read size: large reads amortize syscalls; 4 MiB keeps the buffers small (RSS budget). */
const CHUNK_BYTES = 4 << 20;
/** Chunks in flight to the worker: enough to keep both threads busy while the next read runs. */
const WORKER_SLOTS = 4;
/** A first worker start costs ~25 ms; below this size the single-thread pass is as fast (measured). */
const WORKER_MIN_BYTES = 32 << 20;
/** Default file-level parallelism for digestFiles (each large file already uses two threads). */
const DEFAULT_CONCURRENCY = 2;

/** One file pass's accumulators; chunks must arrive in order, all full but the last. */
class DigestState {
  readonly sha = createHash('sha256');
  readonly tree = new MerkleTreeBuilder();
  size = 0;

  /**
   * Hashes the `n` data bytes at the start of `chunk` and zero-pads them in place to a block
   * boundary (the fs-verity rule for the last block). Returns the padded length.
   */
  takeChunk(chunk: Uint8Array, n: number): number {
    this.sha.update(chunk.subarray(0, n));
    this.size += n;
    const padded = Math.ceil(n / BLOCK_SIZE) * BLOCK_SIZE;
    chunk.fill(0, n, padded);
    return padded;
  }

  result(path: string): FileDigest {
    return {
      path,
      size: this.size,
      sha256: this.sha.digest('hex') as Sha256Hex,
      fsverity_root_hash: this.tree.finish(),
    };
  }
}

/** Computes the SHA-256 and fs-verity digest of one file in a single read pass. */
export async function digestFile(path: string, options: { signal?: AbortSignal } = {}): Promise<FileDigest> {
  const { signal } = options;
  signal?.throwIfAborted();
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const state = new DigestState();
    if (size >= WORKER_MIN_BYTES) await digestWithWorker(fh, state, signal);
    else await digestInline(fh, state, size, signal);
    return state.result(path);
  } finally {
    await fh.close();
  }
}

/** Digests many files, `concurrency` at a time; results are in the order of `paths`. */
export async function digestFiles(
  paths: readonly string[],
  options: { signal?: AbortSignal; concurrency?: number } = {},
): Promise<FileDigest[]> {
  const { signal, concurrency = DEFAULT_CONCURRENCY } = options;
  // Once one file fails the result is a failure: stop the others instead of reading them all.
  const failFast = new AbortController();
  const stop = signal === undefined ? failFast.signal : AbortSignal.any([signal, failFast.signal]);
  const limit = pLimit(concurrency);
  return limit.map(paths, async (path) => {
    try {
      return await digestFile(path, { signal: stop });
    } catch (e) {
      failFast.abort();
      throw e;
    }
  });
}

/** Fills `buf` from `position` unless EOF comes first (reads of regular files may come up short). */
async function readFully(fh: FileHandle, buf: Uint8Array, position: number): Promise<number> {
  let total = 0;
  while (total < buf.length) {
    const { bytesRead } = await fh.read(buf, total, buf.length - total, position + total);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return total;
}

/** Single-thread pass for small files. `size` only sizes the buffer; the loop reads to EOF. */
async function digestInline(fh: FileHandle, state: DigestState, size: number, signal?: AbortSignal): Promise<void> {
  const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, Math.max(BLOCK_SIZE, Math.ceil(size / BLOCK_SIZE) * BLOCK_SIZE)));
  const hashes = Buffer.alloc((chunk.length / BLOCK_SIZE) * HASH_SIZE);
  for (;;) {
    signal?.throwIfAborted();
    const n = await readFully(fh, chunk, state.size);
    if (n === 0) return;
    const padded = state.takeChunk(chunk, n);
    const blocks = hashBlocks(chunk.subarray(0, padded), hashes);
    state.tree.addDataBlockHashes(hashes.subarray(0, blocks * HASH_SIZE), n);
    if (n < chunk.length) return;
  }
}

/**
 * Two-thread pass: chunk i is read into shared slot i % slots, hashed whole here, then
 * block-hashed by the worker. Jobs are consumed in file order (a FIFO), which is both the order
 * the tree needs and the order slots are reused in, so a slot is never overwritten in flight.
 */
async function digestWithWorker(fh: FileHandle, state: DigestState, signal?: AbortSignal): Promise<void> {
  const worker = acquireWorker();
  const queue: { slot: number; dataBytes: number; done: Promise<void> }[] = [];
  const consumeOldest = async (): Promise<void> => {
    const job = queue.shift();
    if (job === undefined) throw new Error('digestWithWorker: no job to consume');
    await job.done;
    state.tree.addDataBlockHashes(worker.hashesOf(job.slot, job.dataBytes), job.dataBytes);
  };
  let clean = false;
  try {
    for (let i = 0; ; i++) {
      if (queue.length === worker.slots) await consumeOldest();
      signal?.throwIfAborted();
      const slot = i % worker.slots;
      const chunk = worker.chunkOf(slot);
      const n = await readFully(fh, chunk, state.size);
      if (n === 0) break;
      const padded = state.takeChunk(chunk, n);
      const done = worker.hash(slot, padded);
      // Awaited one at a time; if the worker dies, the rest must not surface as unhandled.
      done.catch(() => undefined);
      queue.push({ slot, dataBytes: n, done });
      if (n < chunk.length) break;
    }
    while (queue.length > 0) await consumeOldest();
    clean = true;
  } finally {
    releaseWorker(worker, clean);
  }
}

/**
 * Idle workers kept for the next large file: starting one costs ~25 ms, and each owns 16 MiB of
 * shared slots that V8 frees only at some later GC, so creating one per file grows RSS (measured
 * +17 MB per GiB-file digest without reuse). Idle ones are unref'd and retired after IDLE_MS.
 */
const idleWorkers: Level0Worker[] = [];
const MAX_IDLE_WORKERS = 2;
const IDLE_MS = 10_000;

function acquireWorker(): Level0Worker {
  let worker: Level0Worker | undefined;
  while ((worker = idleWorkers.pop()) !== undefined) {
    if (worker.reuse()) return worker;
  }
  return new Level0Worker(CHUNK_BYTES, WORKER_SLOTS);
}

/** A worker with requests still queued (abort, error) could write into the next file's slots. */
function releaseWorker(worker: Level0Worker, clean: boolean): void {
  if (!clean || idleWorkers.length >= MAX_IDLE_WORKERS) {
    worker.terminate();
    return;
  }
  idleWorkers.push(worker);
  worker.idle(IDLE_MS, () => {
    const i = idleWorkers.indexOf(worker);
    if (i >= 0) idleWorkers.splice(i, 1);
  });
}

/** The main-thread end of level0-worker.ts: shared slots plus a FIFO of outstanding requests. */
class Level0Worker {
  readonly slots: number;
  readonly #worker: Worker;
  readonly #data: SharedArrayBuffer;
  readonly #hashes: SharedArrayBuffer;
  readonly #slotBytes: number;
  readonly #pending: { slot: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  #failure: Error | undefined;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(slotBytes: number, slots: number) {
    this.slots = slots;
    this.#slotBytes = slotBytes;
    this.#data = new SharedArrayBuffer(slotBytes * slots);
    this.#hashes = new SharedArrayBuffer((slotBytes / BLOCK_SIZE) * HASH_SIZE * slots);
    const workerData: Level0WorkerData = { data: this.#data, hashes: this.#hashes, slotBytes };
    this.#worker = new Worker(new URL('./level0-worker.js', import.meta.url), { workerData });
    this.#worker.on('message', (reply: Level0Reply) => {
      const job = this.#pending.shift();
      if (job?.slot === reply.slot) job.resolve();
      else this.#fail(new Error(`level0-worker: reply for slot ${reply.slot} out of order`));
    });
    this.#worker.on('error', (e) => { this.#fail(e); });
    this.#worker.on('exit', (code) => { this.#fail(new Error(`level0-worker exited with code ${code}`)); });
  }

  chunkOf(slot: number): Buffer {
    return Buffer.from(this.#data, slot * this.#slotBytes, this.#slotBytes);
  }

  hashesOf(slot: number, dataBytes: number): Uint8Array {
    const slotHashBytes = (this.#slotBytes / BLOCK_SIZE) * HASH_SIZE;
    return new Uint8Array(this.#hashes, slot * slotHashBytes, Math.ceil(dataBytes / BLOCK_SIZE) * HASH_SIZE);
  }

  /** Resolves once the worker has written the hashes of the slot's first `length` bytes. */
  hash(slot: number, length: number): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#pending.push({ slot, resolve, reject });
      const request: Level0Request = { slot, length };
      this.#worker.postMessage(request);
    });
  }

  /** Parks the worker: it must not keep the process alive, and retires after `ms` unused. */
  idle(ms: number, onRetire: () => void): void {
    this.#worker.unref();
    this.#idleTimer = setTimeout(() => { onRetire(); this.terminate(); }, ms).unref();
  }

  /** Takes the worker out of the idle state; false if it died meanwhile. */
  reuse(): boolean {
    clearTimeout(this.#idleTimer);
    this.#worker.ref();
    return this.#failure === undefined;
  }

  terminate(): void {
    clearTimeout(this.#idleTimer);
    this.#worker.removeAllListeners('exit');
    this.#failure ??= new Error('level0-worker: terminated');
    void this.#worker.terminate();
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    for (const job of this.#pending.splice(0)) job.reject(e);
  }
}
