import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sparseCopy } from '../../src/util/sparse-copy.js';
import { tempDir } from '../helpers.js';

test('sparseCopy keeps content and leaves zero blocks as holes', async () => {
  await using dir = await tempDir('sparse');
  const src = join(dir.path, 'src.img');
  const f = await open(src, 'w');
  await f.write(Buffer.from('head'), 0, 4, 0);
  await f.write(Buffer.from('middle'), 0, 6, 40 << 20);
  await f.truncate(100 << 20);
  await f.close();
  const dest = join(dir.path, 'dest.img');
  await sparseCopy(src, dest);
  assert.deepEqual(await readFile(dest), await readFile(src));
  const st = await stat(dest);
  assert.equal(st.size, 100 << 20);
  assert.ok(st.blocks * 512 < 1 << 20, `allocated ${st.blocks * 512} bytes`);
});
