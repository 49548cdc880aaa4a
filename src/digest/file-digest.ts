// Digests a file for the manifest: its plain SHA-256 and its fs-verity digest, from ONE read of the
// file. Small files are done on this thread. Large files are read into shared memory; this thread
// feeds the whole-file SHA-256 (inherently sequential) while level0-worker.ts hashes the 4096-byte
// blocks of the same chunks (the costlier part of the fs-verity tree) on the other core.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { setImmediate } from 'node:timers/promises';
import pLimit from 'p-limit';
import { BLOCK_SIZE, HASH_SIZE, MerkleTreeBuilder, hashBlocks } from './fsverity.js';
import type { FsVerityDigestHex } from './fsverity.js';
import { acquireLevel0Worker, releaseLevel0Worker } from './level0-worker.js';
import type { Level0Worker } from './level0-worker.js';

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
/** Chunks the worker may have queued before the main thread hashes blocks itself. */
const WORKER_BACKLOG = 2;
/** Shared chunk buffers: the worker's backlog, the chunk being hashed and the one being read. */
const WORKER_SLOTS = WORKER_BACKLOG + 2;
/** Bounds the hashes held for the tree while a stalled worker blocks the FIFO (32 KiB each). */
const MAX_QUEUED_CHUNKS = 64;
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
 * Two-thread pass. Each chunk is read once into a shared slot (the next read is issued before
 * this one is hashed) and fed to the whole-file SHA-256 here; its block hashes are done by the
 * worker, or here when the worker already has WORKER_BACKLOG chunks queued. That keeps both
 * cores busy when they are free, and when the machine is loaded and the worker is descheduled,
 * the main thread carries on alone instead of sleeping on it (measured: waiting on the worker
 * made a loaded machine up to 4x slower than sha256sum). Block hashes reach the tree in file
 * order through a FIFO.
 */
async function digestWithWorker(fh: FileHandle, state: DigestState, signal?: AbortSignal): Promise<void> {
  const worker = acquireLevel0Worker(CHUNK_BYTES, WORKER_SLOTS);
  let clean = false;
  try {
    await new WorkerPass(fh, worker, state).run(signal);
    clean = true;
  } finally {
    releaseLevel0Worker(worker, clean);
  }
}

/** A chunk's level-0 hashes waiting for their turn in the tree; `hashes` unset until ready. */
interface QueuedChunk {
  dataBytes: number;
  hashes: Uint8Array | undefined;
}

class WorkerPass {
  readonly #fh: FileHandle;
  readonly #worker: Level0Worker;
  readonly #state: DigestState;
  readonly #freeSlots: number[];
  readonly #fifo: QueuedChunk[] = [];
  #position = 0;

  constructor(fh: FileHandle, worker: Level0Worker, state: DigestState) {
    this.#fh = fh;
    this.#worker = worker;
    this.#state = state;
    this.#freeSlots = Array.from({ length: worker.slots }, (_, i) => i);
  }

  async run(signal?: AbortSignal): Promise<void> {
    let next = this.#read();
    try {
      for (;;) {
        const { slot, n } = await next;
        // Lets worker replies in even when the prefetched read had already completed.
        await setImmediate();
        signal?.throwIfAborted();
        this.#worker.throwIfFailed();
        if (n === this.#worker.slotBytes) next = this.#read();
        if (n === 0) break;
        this.#hashChunk(slot, n);
        if (n < this.#worker.slotBytes) break;
        if (this.#fifo.length >= MAX_QUEUED_CHUNKS) await this.#worker.whenIdle();
      }
      await this.#worker.whenIdle();
    } finally {
      // Never leave a read writing into a slot after we return (the slots may be reused).
      await next.catch(() => undefined);
    }
    if (this.#fifo.length > 0) throw new Error('WorkerPass: chunks left unhashed');
  }

  #read(): Promise<{ slot: number; n: number }> {
    const slot = this.#freeSlots.pop();
    if (slot === undefined) throw new Error('WorkerPass: no free slot');
    const position = this.#position;
    this.#position += this.#worker.slotBytes;
    return readFully(this.#fh, this.#worker.chunkOf(slot), position).then((n) => ({ slot, n }));
  }

  #hashChunk(slot: number, n: number): void {
    const chunk = this.#worker.chunkOf(slot);
    const padded = this.#state.takeChunk(chunk, n);
    const queued: QueuedChunk = { dataBytes: n, hashes: undefined };
    this.#fifo.push(queued);
    if (this.#worker.outstanding < WORKER_BACKLOG) {
      this.#worker.submit(slot, padded, () => {
        // Replies come in order and everything queued before this was ready, so this drain
        // consumes the slot's hashes before the slot is handed out again.
        queued.hashes = this.#worker.hashesOf(slot, n);
        this.#drain();
        this.#freeSlots.push(slot);
      });
    } else {
      queued.hashes = Buffer.allocUnsafe((padded / BLOCK_SIZE) * HASH_SIZE);
      hashBlocks(chunk.subarray(0, padded), queued.hashes);
      this.#freeSlots.push(slot);
      this.#drain();
    }
  }

  #drain(): void {
    for (let head = this.#fifo[0]; head?.hashes !== undefined; head = this.#fifo[0]) {
      this.#fifo.shift();
      this.#state.tree.addDataBlockHashes(head.hashes, head.dataBytes);
    }
  }
}
