/**
 * Extra files for an initramfs, as an uncompressed newc cpio archive to append to a built
 * initrd (the kernel unpacks concatenated archives in order; later files win). Used to give
 * one boot a file the build did not bake in, e.g. /etc/powernode/local-id. Pure: bytes in,
 * bytes out, fixed owner/mode/mtime so the result is reproducible.
 */

export interface ExtraFile {
  /** Path inside the initramfs, without a leading slash (etc/powernode/local-id). */
  path: string;
  content: string | Uint8Array;
  /** Default 0o644. */
  mode?: number;
}

const MAGIC = '070701';
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function entry(name: string, mode: number, data: Uint8Array, ino: number): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameBytes.length, 0];
  const header = MAGIC + fields.map((f) => f.toString(16).padStart(8, '0')).join('');
  const head = Buffer.concat([Buffer.from(header, 'ascii'), nameBytes]);
  return Buffer.concat([head, Buffer.alloc(pad4(head.length)), data, Buffer.alloc(pad4(data.length))]);
}

/** The newc archive holding `files` (and their parent directories), ending in TRAILER!!!. */
export function newcArchive(files: readonly ExtraFile[]): Buffer {
  const dirs = new Set<string>();
  for (const f of files) {
    if (f.path.startsWith('/') || f.path.split('/').some((p) => p === '' || p === '..')) throw new Error(`initrd extra file: bad path "${f.path}"`);
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  let ino = 1;
  const out: Buffer[] = [...dirs].sort().map((d) => entry(d, S_IFDIR | 0o755, new Uint8Array(), ino++));
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const data = typeof f.content === 'string' ? Buffer.from(f.content) : f.content;
    out.push(entry(f.path, S_IFREG | (f.mode ?? 0o644), data, ino++));
  }
  out.push(entry('TRAILER!!!', 0, new Uint8Array(), 0));
  return Buffer.concat(out);
}

/** `initrd` followed by the archive, which must start on a 4-byte boundary (zero padding). */
export function appendToInitrd(initrd: Uint8Array, files: readonly ExtraFile[]): Buffer {
  return Buffer.concat([initrd, Buffer.alloc(pad4(initrd.length)), newcArchive(files)]);
}
