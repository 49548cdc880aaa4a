// Both ends of the worker that hashes 4096-byte data blocks (level 0 of the fs-verity tree) for
// file-digest.ts. Level 0 costs more than the whole-file SHA-256 (one hash call per block), so
// running it on a second core while the main thread does the sequential SHA-256 over the same
// chunks (read once, into shared memory) roughly halves the wall time of a large file.
// This module is also the worker's entry point: it serves only when started with its own
// workerData, so importing it anywhere else has no side effect.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { BLOCK_SIZE, HASH_SIZE, hashBlocks } from './fsverity.js';

interface Level0WorkerData {
  role: 'level0-worker';
  /** `slots` chunk buffers of `slotBytes` each, written by the main thread. */
  data: SharedArrayBuffer;
  /** `slots` hash buffers of `slotBytes / 4096 * 32` bytes each, written by the worker. */
  hashes: SharedArrayBuffer;
  slotBytes: number;
}

/** Main -> worker: hash `length` bytes (a multiple of 4096, tail zero-padded) of chunk `slot`. */
interface Level0Request {
  slot: number;
  length: number;
}

/** Worker -> main: the hashes of chunk `slot` are in its hash buffer. */
interface Level0Reply {
  slot: number;
}

/** The main-thread handle: shared slots plus a FIFO of requests the worker has not answered. */
export class Level0Worker {
  readonly slots: number;
  readonly slotBytes: number;
  readonly #worker: Worker;
  readonly #data: SharedArrayBuffer;
  readonly #hashes: SharedArrayBuffer;
  readonly #pending: { slot: number; onDone: () => void }[] = [];
  readonly #idleWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #failure: Error | undefined;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(slotBytes: number, slots: number) {
    this.slots = slots;
    this.slotBytes = slotBytes;
    this.#data = new SharedArrayBuffer(slotBytes * slots);
    this.#hashes = new SharedArrayBuffer((slotBytes / BLOCK_SIZE) * HASH_SIZE * slots);
    const data: Level0WorkerData = { role: 'level0-worker', data: this.#data, hashes: this.#hashes, slotBytes };
    this.#worker = new Worker(new URL(import.meta.url), { workerData: data });
    this.#worker.on('message', (reply: Level0Reply) => { this.#onReply(reply); });
    this.#worker.on('error', (e) => { this.#fail(e); });
    this.#worker.on('exit', (code) => { this.#fail(new Error(`level0-worker exited with code ${code}`)); });
  }

  /** Requests sent and not yet answered. */
  get outstanding(): number {
    return this.#pending.length;
  }

  chunkOf(slot: number): Buffer {
    return Buffer.from(this.#data, slot * this.slotBytes, this.slotBytes);
  }

  /** The hashes of the first `dataBytes` of the slot; valid until the slot is submitted again. */
  hashesOf(slot: number, dataBytes: number): Uint8Array {
    const slotHashBytes = (this.slotBytes / BLOCK_SIZE) * HASH_SIZE;
    return new Uint8Array(this.#hashes, slot * slotHashBytes, Math.ceil(dataBytes / BLOCK_SIZE) * HASH_SIZE);
  }

  /** Asks for the slot's first `length` bytes to be hashed; `onDone` runs in submission order. */
  submit(slot: number, length: number, onDone: () => void): void {
    this.throwIfFailed();
    this.#pending.push({ slot, onDone });
    const request: Level0Request = { slot, length };
    this.#worker.postMessage(request);
  }

  /** Resolves when every submitted request has been answered; rejects if the worker died. */
  whenIdle(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.#idleWaiters.push({ resolve, reject }));
  }

  throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Parks the worker: it must not keep the process alive, and retires after `ms` unused. */
  park(ms: number, onRetire: () => void): void {
    this.#worker.unref();
    this.#idleTimer = setTimeout(() => { onRetire(); this.terminate(); }, ms).unref();
  }

  /** Takes the worker out of the pool; false if it died meanwhile. */
  unpark(): boolean {
    clearTimeout(this.#idleTimer);
    this.#worker.ref();
    return this.#failure === undefined;
  }

  terminate(): void {
    clearTimeout(this.#idleTimer);
    this.#worker.removeAllListeners('exit');
    this.#fail(new Error('level0-worker: terminated'));
    void this.#worker.terminate();
  }

  #onReply(reply: Level0Reply): void {
    const job = this.#pending.shift();
    if (job?.slot !== reply.slot) {
      this.#fail(new Error(`level0-worker: reply for slot ${reply.slot} out of order`));
      return;
    }
    job.onDone();
    if (this.#pending.length === 0) for (const w of this.#idleWaiters.splice(0)) w.resolve();
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    this.#pending.length = 0;
    for (const w of this.#idleWaiters.splice(0)) w.reject(e);
  }
}

/**
 * Parked workers, reused by the next large file: a start costs ~25 ms, and each worker owns
 * 16 MiB of shared slots that V8 frees only at some later GC, so a worker per file grows RSS
 * (measured: +17 MB per 1 GiB file). Parked ones are unref'd and retired after PARK_MS.
 */
const parked: Level0Worker[] = [];
const MAX_PARKED = 2;
const PARK_MS = 10_000;

export function acquireLevel0Worker(slotBytes: number, slots: number): Level0Worker {
  for (let w = parked.pop(); w !== undefined; w = parked.pop()) {
    if (w.slotBytes === slotBytes && w.slots === slots && w.unpark()) return w;
    w.terminate();
  }
  return new Level0Worker(slotBytes, slots);
}

/** `clean` = nothing in flight: a worker still busy (abort, error) could write into the next file's slots. */
export function releaseLevel0Worker(worker: Level0Worker, clean: boolean): void {
  if (!clean || worker.outstanding > 0 || parked.length >= MAX_PARKED) {
    worker.terminate();
    return;
  }
  parked.push(worker);
  worker.park(PARK_MS, () => {
    const i = parked.indexOf(worker);
    if (i >= 0) parked.splice(i, 1);
  });
}

function isLevel0WorkerData(v: unknown): v is Level0WorkerData {
  return typeof v === 'object' && v !== null && (v as Partial<Level0WorkerData>).role === 'level0-worker';
}

function serve(port: MessagePort, { data, hashes, slotBytes }: Level0WorkerData): void {
  const slotHashBytes = (slotBytes / BLOCK_SIZE) * HASH_SIZE;
  port.on('message', ({ slot, length }: Level0Request) => {
    hashBlocks(new Uint8Array(data, slot * slotBytes, length), new Uint8Array(hashes, slot * slotHashBytes, slotHashBytes));
    const reply: Level0Reply = { slot };
    port.postMessage(reply);
  });
}

if (!isMainThread && parentPort !== null && isLevel0WorkerData(workerData)) serve(parentPort, workerData);
