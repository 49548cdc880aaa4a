import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine } from '../../src/cli/args.js';

test('the command is found after options whose values look like words; env selection is read', () => {
  const a = parseCommandLine(['--arch', 'amd64', 'plan', '--json'], {});
  assert.ok(a.ok);
  assert.equal(a.value.command, 'plan');
  assert.deepEqual(a.value.common.selection.arches, ['amd64']);
  const b = parseCommandLine([], { ARCH: 'arm64, amd64', VARIANT: 'raw' });
  assert.ok(b.ok);
  assert.equal(b.value.command, 'build');
  assert.deepEqual(b.value.common.selection, { arches: ['arm64', 'amd64'], variants: ['raw'] });
});

test('unknown commands and options are usage errors naming them', () => {
  const bad = parseCommandLine(['frobnicate'], {});
  assert.ok(!bad.ok);
  assert.match(bad.error, /unknown command "frobnicate"/);
  const opt = parseCommandLine(['smoke', '--check'], {});
  assert.ok(!opt.ok);
  assert.match(opt.error, /smoke: Unknown option '--check'/);
});
