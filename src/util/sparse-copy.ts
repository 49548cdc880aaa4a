/**
 * Copies a file keeping its holes: disk images are mostly zeros (a 2 GiB raw image holds
 * ~350 MB of data), and a plain copy would write every zero block out.
 */
import { open } from 'node:fs/promises';

const BLOCK = 1 << 16;
const CHUNK = 1 << 22;

function isZero(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

export async function sparseCopy(src: string, dest: string): Promise<void> {
  const input = await open(src, 'r');
  const output = await open(dest, 'w');
  try {
    const { size } = await input.stat();
    const buf = Buffer.alloc(CHUNK);
    for (let pos = 0; pos < size;) {
      const { bytesRead } = await input.read(buf, 0, CHUNK, pos);
      if (bytesRead === 0) break;
      for (let off = 0; off < bytesRead; off += BLOCK) {
        const end = Math.min(off + BLOCK, bytesRead);
        // Zero blocks are skipped: the final truncate leaves them as holes.
        if (!isZero(buf, off, end)) await output.write(buf, off, end - off, pos + off);
      }
      pos += bytesRead;
    }
    await output.truncate(size);
  } finally {
    await input.close();
    await output.close();
  }
}
