// Worker side of file-digest.ts: hashes the 4096-byte data blocks (level 0 of the fs-verity tree)
// of chunks the main thread has already read into shared memory. Level 0 costs more than the
// whole-file SHA-256 (one hash object per block), so moving it here lets both run on separate
// cores while the file is read once.
import { parentPort, workerData } from 'node:worker_threads';
import { BLOCK_SIZE, HASH_SIZE, hashBlocks } from './fsverity.js';

/** What file-digest.ts passes as `workerData`. */
export interface Level0WorkerData {
  /** `slots` chunk buffers of `slotBytes` each, written by the main thread. */
  data: SharedArrayBuffer;
  /** `slots` hash buffers of `slotBytes / 4096 * 32` bytes each, written here. */
  hashes: SharedArrayBuffer;
  slotBytes: number;
}

/** Main -> worker: hash `length` bytes (a multiple of 4096, tail zero-padded) of chunk `slot`. */
export interface Level0Request {
  slot: number;
  length: number;
}

/** Worker -> main: the hashes of chunk `slot` are in its hash buffer. */
export interface Level0Reply {
  slot: number;
}

function isWorkerData(v: unknown): v is Level0WorkerData {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Partial<Level0WorkerData>;
  return d.data instanceof SharedArrayBuffer && d.hashes instanceof SharedArrayBuffer && typeof d.slotBytes === 'number';
}

function serve(): void {
  const port = parentPort;
  if (port === null || !isWorkerData(workerData)) throw new Error('level0-worker: must be started by file-digest.ts');
  const { data, hashes, slotBytes } = workerData;
  const slotHashBytes = (slotBytes / BLOCK_SIZE) * HASH_SIZE;
  port.on('message', (msg: Level0Request) => {
    const chunk = new Uint8Array(data, msg.slot * slotBytes, msg.length);
    const out = new Uint8Array(hashes, msg.slot * slotHashBytes, slotHashBytes);
    hashBlocks(chunk, out);
    const reply: Level0Reply = { slot: msg.slot };
    port.postMessage(reply);
  });
}

serve();
