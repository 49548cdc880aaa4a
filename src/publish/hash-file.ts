/** Streaming SHA-256 of a file or a stream: never holds more than one chunk. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function sha256OfStream(stream: AsyncIterable<unknown>): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    const buf = chunk as Uint8Array;
    hash.update(buf);
    size += buf.byteLength;
  }
  return { sha256: hash.digest('hex'), size };
}

export async function sha256OfFile(path: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  return sha256OfStream(createReadStream(path, { highWaterMark: 1 << 20, signal }));
}
