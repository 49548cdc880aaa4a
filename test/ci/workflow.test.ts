import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { parse } from 'yaml';
import { SECRET_ENV } from '../../src/publish/config.js';
import { REPO_ROOT, runCli } from '../helpers.js';

interface Validator { validateWorkflow(src: string): { errors: unknown[] } }
const validator = createRequire(import.meta.url)('@action-validator/core') as Validator;

for (const flavor of ['github', 'gitea'] as const) {
  test(`pipelines/${flavor}/build-disk-image.yaml validates against the workflow schema and matches the matrix`, async () => {
    const text = await readFile(join(REPO_ROOT, 'pipelines', flavor, 'build-disk-image.yaml'), 'utf8');
    assert.deepEqual(validator.validateWorkflow(text).errors, []);
    const plan = await runCli(['plan', '--json']);
    const cells = (JSON.parse(plan.stdout) as { cells: { variant: string; arch: string }[] }).cells;
    const wf = parse(text) as { jobs: Record<string, { needs?: string[]; 'runs-on': string[]; env?: Record<string, string>; steps: { run?: string }[] }> };
    const cellJobs = Object.keys(wf.jobs).filter((j) => j !== 'publish').sort();
    assert.deepEqual(cellJobs, cells.map((c) => `${c.variant}-${c.arch}`).sort());
    assert.deepEqual([...(wf.jobs.publish?.needs ?? [])].sort(), cellJobs);
    for (const c of cells) assert.equal(wf.jobs[`${c.variant}-${c.arch}`]?.env?.ARCH, c.arch);
    assert.ok(wf.jobs['rpi4-arm64']?.['runs-on'].includes('arm64'), 'arm64 cells run on the arm64 runner label');
    // The publish job hands publish its secrets under the names publish reads, and its script parses.
    const publish = wf.jobs.publish;
    assert.ok(publish);
    const ours = Object.keys(publish.env ?? {}).filter((k) => k.startsWith('POWERNODE_'));
    assert.deepEqual(ours.filter((k) => !(Object.values(SECRET_ENV) as string[]).includes(k)), []);
    assert.ok(ours.includes(SECRET_ENV.registryUsername) && ours.includes(SECRET_ENV.registryPassword));
    const script = publish.steps.at(-1)?.run ?? '';
    assert.match(script, /build publish --out images .*--registry \S+ --oci-tag "\$GITHUB_REF_NAME"/);
    if (flavor === 'github') assert.match(script, new RegExp(`export ${SECRET_ENV.identityToken}\n`));
    execFileSync('bash', ['-n', '-c', script]);
  });
}

test('build ci --check passes on the committed pipelines', async () => {
  const r = await runCli(['ci', '--check']);
  assert.equal(r.code, 0, r.stderr);
});

test('build ci --check exits 1 and names the file when the matrix changed', async () => {
  const { cp, rm } = await import('node:fs/promises');
  const { tempDir } = await import('../helpers.js');
  await using dir = await tempDir('ci-drift');
  for (const d of ['variants', 'manifests', 'pipelines', 'dracut', 'modules.d']) await cp(join(REPO_ROOT, d), join(dir.path, d), { recursive: true });
  await rm(join(dir.path, 'variants', 'qcow2.yaml'));
  const r = await runCli(['ci', '--check', '--project', dir.path]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /out of date .*pipelines\/github\/build-disk-image\.yaml/);
});
