import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HostExecutor } from '../../src/exec/host.js';
import { formatExecFailure } from '../../src/exec/format.js';
import { tempDir } from '../helpers.js';

const exec = new HostExecutor();
const signal = new AbortController().signal;

test('a failed command reports argv, exit code and the last lines of stderr', async () => {
  const r = await exec.run({ argv: ['sh', '-c', 'echo one >&2; echo two >&2; exit 7'], purpose: 'demo', hint: 'try again' }, { signal });
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'exit');
  assert.equal(r.error.exitCode, 7);
  assert.deepEqual(r.error.tail, ['one', 'two']);
  const text = formatExecFailure(r.error);
  assert.match(text, /demo: command exited with code 7/);
  assert.match(text, /\$ sh -c 'echo one >&2; echo two >&2; exit 7'/);
  assert.match(text, /hint: try again/);
});

test('a missing program is "not-found"; stdout can be captured', async () => {
  const missing = await exec.run({ argv: ['definitely-not-a-program-xyz'] }, { signal });
  assert.ok(!missing.ok);
  assert.equal(missing.error.code, 'not-found');
  const echo = await exec.run({ argv: ['printf', 'a\\nb'], captureStdout: true }, { signal });
  assert.ok(echo.ok);
  assert.equal(echo.value.stdout, 'a\nb');
});

test('abort terminates the whole process group, grandchildren included', async () => {
  await using dir = await tempDir('abort');
  const pidFile = join(dir.path, 'pid');
  const controller = new AbortController();
  const run = exec.run({ argv: ['sh', '-c', `sleep 60 & echo $! > ${pidFile}; wait`] }, { signal: controller.signal });
  for (let i = 0; i < 100; i++) {
    if ((await readFile(pidFile, 'utf8').catch(() => '')).trim()) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const grandchild = Number((await readFile(pidFile, 'utf8')).trim());
  controller.abort();
  const r = await run;
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'aborted');
  await new Promise((res) => setTimeout(res, 200));
  // Gone, or a zombie waiting for init to reap it: either way no longer running.
  const stat = await readFile(`/proc/${grandchild}/stat`, 'utf8').catch(() => '');
  assert.ok(stat === '' || / Z /.test(stat), `the background sleep still runs: ${stat}`);
});

test('a timeout terminates the command and says so', async () => {
  const r = await exec.run({ argv: ['sleep', '30'], timeoutMs: 200 }, { signal });
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'timeout');
});
