import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers.js';

test('modules.d/90powernode is shellcheck-clean', async () => {
  const dir = join(REPO_ROOT, 'modules.d', '90powernode');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sh')).map((f) => join(dir, f));
  assert.ok(files.length >= 2);
  // Throws (and shows the findings) on any warning.
  execFileSync('shellcheck', ['--severity=style', '--external-sources', ...files], { cwd: dir, stdio: 'pipe' });
});

test('modules.d/90powernode: files run as programs are executable (their mode goes into the initrd)', async () => {
  const dir = join(REPO_ROOT, 'modules.d', '90powernode');
  for (const f of ['powernode-init.sh', 'powernode-udhcpc.sh', 'powernode-launch.sh', 'module-setup.sh']) {
    assert.ok(((await stat(join(dir, f))).mode & 0o111) !== 0, `${f} is not executable`);
  }
});

test('modules.d/90powernode: runtime scripts are POSIX sh (shellcheck -s sh)', () => {
  const dir = join(REPO_ROOT, 'modules.d', '90powernode');
  const runtime = ['powernode-init.sh', 'powernode-lib.sh', 'powernode-identity.sh', 'powernode-root.sh', 'powernode-live.sh', 'powernode-udhcpc.sh', 'powernode-launch.sh',
    'powernode-cmdline.sh', 'powernode-parse-root.sh', 'powernode-mount.sh', 'powernode-pre-pivot.sh'];
  execFileSync('shellcheck', ['-s', 'sh', '--severity=style', '--external-sources', ...runtime], { cwd: dir, stdio: 'pipe' });
});
