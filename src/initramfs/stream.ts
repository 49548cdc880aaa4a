/**
 * Streams planned records as a newc archive: headers and symlink targets from memory, file data
 * straight from disk in 1 MiB reads, so memory stays flat whatever the tree's size.
 */
import { open } from 'node:fs/promises';
import { encodeHeader, NEWC_MAX_FILE, pad4, trailer } from './newc.js';
import type { NewcRecord } from './plan.js';

const READ_BYTES = 1 << 20;

/** Thrown from the stream when a file is not what it was when the tree was read. */
export class TreeChangedError extends Error {
  override readonly name = 'TreeChangedError';
}

async function* fileData(path: string, size: number): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  try {
    let done = 0;
    while (done < size) {
      const buf = Buffer.allocUnsafe(Math.min(READ_BYTES, size - done));
      const { bytesRead } = await fh.read(buf, 0, buf.length, done);
      if (bytesRead === 0) throw new TreeChangedError(`${path}: shrank while being archived (expected ${size} bytes)`);
      done += bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** The archive's bytes, record by record, ending with the trailer. */
export async function* newcStream(records: readonly NewcRecord[]): AsyncGenerator<Buffer> {
  for (const r of records) {
    if (r.header.filesize > NEWC_MAX_FILE) throw new RangeError(`${r.header.name}: ${r.header.filesize} bytes do not fit newc's 32-bit size field`);
    yield encodeHeader(r.header);
    if (r.inline) yield r.inline;
    else if (r.source && r.header.filesize > 0) yield* fileData(r.source, r.header.filesize);
    const pad = pad4(r.header.filesize);
    if (pad > 0) yield Buffer.alloc(pad);
  }
  yield trailer();
}
