/**
 * The multi-arch layout over the per-arch oci cells (steps/oci/merge-layouts.ts), on small
 * cell-shaped layouts, checked with skopeo: one index whatever the build order, every blob
 * present, stale blobs removed when a cell is rebuilt, a misnamed cell refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { writeArchLayout } from '../publish/oci-fixture.js';
import { INDEX_REF, writeOciIndex } from '../../src/steps/oci/merge-layouts.js';
import { readLayout } from '../../src/publish/oci/layout.js';

const skopeo = (...args: string[]): string => execFileSync('skopeo', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const blobNames = async (dir: string): Promise<string[]> => (await readdir(join(dir, 'blobs', 'sha256'))).sort();

interface Index { mediaType: string; manifests: { mediaType: string; digest: string; platform?: { architecture: string }; annotations?: Record<string, string> }[] }

test('oci index: one index over both arch cells, independent of build order, readable by skopeo', async () => {
  await using a = await tempDir('oci-index-a');
  await using b = await tempDir('oci-index-b');
  const digests = { arm64: await writeArchLayout(join(a.path, 'arm64'), 'arm64'), amd64: await writeArchLayout(join(a.path, 'amd64'), 'amd64') };
  await writeArchLayout(join(b.path, 'amd64'), 'amd64');
  await writeArchLayout(join(b.path, 'arm64'), 'arm64');
  const index = await writeOciIndex(a.path);
  assert.ok(index);
  assert.deepEqual(index.manifests, [{ arch: 'amd64', digest: digests.amd64 }, { arch: 'arm64', digest: digests.arm64 }]);
  assert.equal((await writeOciIndex(b.path))?.digest, index.digest);
  assert.equal(await readFile(join(a.path, 'index.json'), 'utf8'), await readFile(join(b.path, 'index.json'), 'utf8'));

  const top = JSON.parse(await readFile(join(a.path, 'index.json'), 'utf8')) as Index;
  assert.deepEqual(top.manifests.map((m) => [m.mediaType, m.digest, m.annotations?.['org.opencontainers.image.ref.name']]),
    [['application/vnd.oci.image.index.v1+json', index.digest, INDEX_REF]]);
  const raw = skopeo('inspect', '--raw', `oci:${a.path}:${INDEX_REF}`);
  const listed = JSON.parse(raw) as Index;
  assert.equal(listed.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.deepEqual(listed.manifests.map((m) => [m.platform?.architecture, m.digest, m.annotations]), [['amd64', digests.amd64, undefined], ['arm64', digests.arm64, undefined]]);
  for (const arch of ['amd64', 'arm64'] as const) {
    // skopeo resolves the index to this platform's image (its Digest field names the index itself).
    const inspected = JSON.parse(skopeo('inspect', '--override-arch', arch, '--override-os', 'linux', `oci:${a.path}:${INDEX_REF}`)) as { Digest: string; Architecture: string };
    assert.deepEqual([inspected.Architecture, inspected.Digest], [arch, index.digest]);
  }
  // Every blob is in place: a full multi-arch copy reads them all.
  await using copy = await tempDir('oci-index-copy');
  skopeo('copy', '--all', '--quiet', `oci:${a.path}:${INDEX_REF}`, `oci:${join(copy.path, 'x')}:v1`);
  const layout = await readLayout(a.path);
  assert.equal(layout.top.digest, index.digest);
  assert.equal(layout.manifests.length, 3);
});

test('oci index: rebuilding one arch rewrites the index and drops the blobs nothing reaches', async () => {
  await using dir = await tempDir('oci-index-rebuild');
  const amd64 = await writeArchLayout(join(dir.path, 'amd64'), 'amd64');
  const oldArm = await writeArchLayout(join(dir.path, 'arm64'), 'arm64', 1024);
  const first = await writeOciIndex(dir.path);
  assert.equal((await blobNames(dir.path)).length, 7); // 2 x (layer, config, manifest) + the index
  await rm(join(dir.path, 'arm64'), { recursive: true });
  const newArm = await writeArchLayout(join(dir.path, 'arm64'), 'arm64', 2048);
  const second = await writeOciIndex(dir.path);
  assert.notEqual(second?.digest, first?.digest);
  assert.deepEqual(second?.manifests.map((m) => m.digest), [amd64, newArm]);
  const names = await blobNames(dir.path);
  assert.equal(names.length, 7);
  assert.ok(!names.includes(oldArm.slice(7)), 'the old arm64 manifest is gone');
  assert.ok(!names.includes(first?.digest.slice(7) ?? ''), 'the old index is gone');
  skopeo('inspect', '--raw', `oci:${dir.path}:${INDEX_REF}`);
});

test('oci index: a cell whose manifest is for another arch is refused by name; no cells, no index', async () => {
  await using dir = await tempDir('oci-index-bad');
  assert.equal(await writeOciIndex(dir.path), undefined);
  await writeArchLayout(join(dir.path, 'arm64'), 'amd64');
  await assert.rejects(writeOciIndex(dir.path), /arm64\/index\.json: the manifest's platform is "amd64", expected "arm64"/);
  await assert.rejects(readFile(join(dir.path, 'index.json')), { code: 'ENOENT' });
});
