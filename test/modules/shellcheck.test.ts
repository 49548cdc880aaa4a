import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers.js';

test('modules.d/90powernode is shellcheck-clean', async () => {
  const dir = join(REPO_ROOT, 'modules.d', '90powernode');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sh')).map((f) => join(dir, f));
  assert.ok(files.length >= 2);
  // Throws (and shows the findings) on any warning.
  execFileSync('shellcheck', ['--severity=style', '--external-sources', ...files], { cwd: dir, stdio: 'pipe' });
});
