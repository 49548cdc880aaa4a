// The digest module against the real tools: every file is also digested by `fsverity digest`
// (fsverity-utils) and `sha256sum` (coreutils), and the outputs must match byte for byte.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { digestFile, digestFiles } from '../../src/digest/file-digest.js';

const run = promisify(execFile);
const KiB = 1024;
const MiB = 1024 * KiB;

/** Sizes around block, tree-level (128 hashes per block) and read-chunk boundaries. */
const SIZES = [
  0, 1, 4095, 4096, 4097, 8192, 128 * 4096, 128 * 4096 + 1, MiB, 100 * MiB,
  // 128 * 128 blocks fill two tree levels exactly; +1 adds a level and a partial last read chunk.
  64 * MiB, 64 * MiB + 1,
];

/** Deterministic pseudo-random bytes: AES-256-CTR keystream under a fixed key (a seeded PRNG). */
function keystream(seed: number): (n: number) => Buffer {
  const key = Buffer.alloc(32, seed);
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return (n) => cipher.update(Buffer.alloc(n));
}

async function writeTestFile(path: string, size: number, fill: 'zero' | 'random'): Promise<void> {
  const next = keystream(size % 251);
  const fh = await open(path, 'w');
  try {
    for (let done = 0; done < size; ) {
      const n = Math.min(4 * MiB, size - done);
      await fh.write(fill === 'zero' ? Buffer.alloc(n) : next(n));
      done += n;
    }
  } finally {
    await fh.close();
  }
}

/** Runs a tool that prints `<hash> <path>` lines and maps path -> hash. */
async function toolDigests(file: string, args: readonly string[], paths: readonly string[]): Promise<Map<string, string>> {
  const { stdout } = await run(file, [...args, ...paths], { maxBuffer: 16 * MiB });
  const result = new Map<string, string>();
  for (const line of stdout.trim().split('\n')) {
    const match = /^(?:sha256:)?([0-9a-f]{64}) +\*?(.+)$/.exec(line);
    assert.ok(match?.[1] !== undefined && match[2] !== undefined, `${file}: unexpected output line ${JSON.stringify(line)}`);
    result.set(match[2], match[1]);
  }
  return result;
}

void describe('digest: fs-verity and sha256 of files', () => {
  let dir = '';
  const files: { path: string; size: number }[] = [];

  before(async () => {
    for (const tool of ['fsverity', 'sha256sum']) {
      await run(tool, ['--version']).catch((cause: unknown) => {
        throw new Error(`${tool} is needed to check digests against the reference (apt-get install ${tool === 'fsverity' ? 'fsverity' : 'coreutils'})`, { cause });
      });
    }
    dir = await mkdtemp(join(tmpdir(), 'digest-test-'));
    for (const size of SIZES) {
      for (const fill of ['zero', 'random'] as const) {
        const path = join(dir, `${fill}-${size}.bin`);
        await writeTestFile(path, size, fill);
        files.push({ path, size });
      }
    }
  });

  after(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  void it('matches `fsverity digest` and `sha256sum` for every size, in input order', async () => {
    const paths = files.map((f) => f.path);
    const [ours, fsverity, sha256sum] = await Promise.all([
      digestFiles(paths),
      toolDigests('fsverity', ['digest', '--hash-alg=sha256', '--block-size=4096'], paths),
      toolDigests('sha256sum', [], paths),
    ]);
    assert.equal(ours.length, files.length);
    ours.forEach((d, i) => {
      const file = files[i];
      assert.ok(file !== undefined);
      assert.equal(d.path, file.path, 'order preserved');
      assert.equal(d.size, file.size, `size of ${d.path}`);
      assert.equal(d.fsverity_root_hash, fsverity.get(d.path), `fs-verity digest of ${d.path}`);
      assert.equal(d.sha256, sha256sum.get(d.path), `sha256 of ${d.path}`);
    });
  });

  void it('gives the same answer one file at a time as with concurrency', async () => {
    const big = files.filter((f) => f.size >= 64 * MiB && f.path.includes('random')).map((f) => f.path);
    const together = await digestFiles(big, { concurrency: 4 });
    for (const [i, path] of big.entries()) assert.deepEqual(await digestFile(path), together[i]);
  });

  void it('rejects with the abort reason, and a later digest is still right', async () => {
    const path = join(dir, `random-${100 * MiB}.bin`);
    const expected = await digestFile(path);
    await assert.rejects(digestFile(path, { signal: AbortSignal.abort() }), { name: 'AbortError' });
    const controller = new AbortController();
    const pending = digestFile(path, { signal: controller.signal });
    // Lands mid-file (100 MiB takes well over 20 ms); either way the digest must reject.
    setTimeout(() => { controller.abort(); }, 20);
    await assert.rejects(pending, { name: 'AbortError' });
    assert.deepEqual(await digestFile(path), expected);
  });

  void it('rejects for a missing file, alone or among others', async () => {
    const missing = join(dir, 'missing');
    await assert.rejects(digestFile(missing), { code: 'ENOENT' });
    const paths = files.map((f) => f.path);
    await assert.rejects(digestFiles([...paths.slice(0, 3), missing, ...paths.slice(3)]), { code: 'ENOENT' });
  });
});

void describe('digest: known fs-verity vectors (sha256, 4096-byte blocks)', () => {
  const vectors: [string, Buffer, string][] = [
    ['empty', Buffer.alloc(0), '3d248ca542a24fc62d1c43b916eae5016878e2533c88238480b26128a1f1af95'],
    ['one zero byte', Buffer.alloc(1), 'b803429503d95915829b29fdbc8bbad142f3abfd11b1cadf5526582e685c0551'],
    ['"a"', Buffer.from('a'), 'bce75948b9e7510293f8f2720412af9697c1479281323f3f220623fb8e94b557'],
    ['4096 zeros', Buffer.alloc(4096), 'babc284ee4ffe7f449377fbf6692715b43aec7bc39c094a95878904d34bac97e'],
    ['4097 zeros', Buffer.alloc(4097), '093756e4ea9683329106d4a16982682ed182c14bf076463a9e7f97305cbac743'],
    ['1 MiB zeros', Buffer.alloc(MiB), 'feb19a23e72cb1b8f935d668a09ecaad0bf7c5b9cdfa6dbba7c88a9998ed2b87'],
  ];
  let dir = '';
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'digest-vectors-')); });
  after(async () => { if (dir !== '') await rm(dir, { recursive: true, force: true }); });

  for (const [i, [name, content, expected]] of vectors.entries()) {
    void it(name, async () => {
      const path = join(dir, `vector-${i}.bin`);
      await writeFile(path, content);
      const d = await digestFile(path);
      assert.equal(d.fsverity_root_hash, expected);
      assert.equal(d.size, content.length);
    });
  }
});
