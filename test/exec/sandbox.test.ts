/** The toolbox sandbox: argv builders, lookups inside a root, pins keys, executor choice. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sandboxArgv } from '../../src/exec/sandbox.js';
import { podmanRunArgv } from '../../src/exec/podman.js';
import { resolveInRoot, whichInRoot } from '../../src/exec/in-root.js';
import { parseExecutorKind } from '../../src/exec/factory.js';
import { toolboxKey, toolboxFileSchema } from '../../src/toolbox/config.js';
import { tempDir } from '../helpers.js';

const binds = { ro: ['/project'], rw: ['/cache', '/out'] };

test('sandboxArgv: toolbox dirs, same-path binds, a cleared environment, the command last', () => {
  const argv = sandboxArgv(['--ro-bind', '/tb/usr', '/usr', '--symlink', 'usr/bin', '/bin'], binds, '/tmp/x', { argv: ['tar', '-xf', '/cache/a.tar'], env: { SOURCE_DATE_EPOCH: '1' }, cwd: '/cache/w' });
  const s = argv.join(' ');
  assert.ok(s.startsWith('bwrap '));
  assert.ok(s.includes('--ro-bind /project /project'));
  assert.ok(s.includes('--bind /cache /cache --bind /out /out'));
  assert.ok(s.includes('--clearenv'));
  assert.ok(s.includes('--setenv SOURCE_DATE_EPOCH 1'));
  assert.ok(s.includes('--bind /tmp/x /tmp'));
  assert.ok(s.endsWith('--chdir /cache/w -- tar -xf /cache/a.tar'));
  assert.ok(s.indexOf('/project /project') < s.indexOf('/cache /cache'), 'read-only binds first, so a cache inside the project stays writable');
});

test('podmanRunArgv: the flags that work here, -v binds at the same paths, -i only with stdin', () => {
  const argv = podmanRunArgv({ root: '/c/podman/root', runroot: '/c/podman/run' }, 'localhost/t:1', 'n1', binds, { argv: ['cpio', '-o'], stdinFile: '/cache/list' });
  const s = argv.join(' ');
  for (const f of ['--storage-driver=vfs', '--cgroup-manager=cgroupfs', '--runtime runc', '--ulimit nofile=1024:1024', '--ulimit nproc=4096:4096', '-v /project:/project:ro', '-v /cache:/cache', ' -i ']) assert.ok(s.includes(f), f);
  assert.ok(s.endsWith('localhost/t:1 cpio -o'));
  assert.ok(!podmanRunArgv({ root: 'r', runroot: 'q' }, 'i', 'n', binds, { argv: ['true'] }).includes('-i'));
});

test('resolveInRoot / whichInRoot: absolute links stay inside the root', async () => {
  await using dir = await tempDir('inroot');
  const root = dir.path;
  await mkdir(join(root, 'usr/bin'), { recursive: true });
  await symlink('usr/bin', join(root, 'bin'));
  await writeFile(join(root, 'usr/bin/tool'), '#!/bin/sh\n');
  await chmod(join(root, 'usr/bin/tool'), 0o755);
  await mkdir(join(root, 'etc/alternatives'), { recursive: true });
  await symlink('/usr/bin/tool', join(root, 'etc/alternatives/alias'));
  await symlink('/etc/alternatives/alias', join(root, 'usr/bin/alias'));
  await symlink('/usr/bin/sh', join(root, 'usr/bin/hostonly'));
  assert.equal(await resolveInRoot(root, '/bin/alias'), join(root, 'usr/bin/tool'));
  assert.equal(await whichInRoot(root, 'alias', ['/usr/sbin', '/bin']), '/bin/alias');
  // /usr/bin/sh exists on the host, not in this root: not found.
  assert.equal(await whichInRoot(root, 'hostonly', ['/usr/bin']), undefined);
  assert.equal(await whichInRoot(root, 'missing', ['/usr/bin']), undefined);
});

test('toolbox key: pins and recipe, not the mirror; executor kinds', () => {
  const base = toolboxFileSchema.parse({ format: 1, suite: 'trixie', architecture: 'amd64', source_date_epoch: 1, packages: { tar: '1.35' } });
  assert.equal(toolboxKey(base), toolboxKey({ ...base, mirror: 'http://elsewhere/debian' }));
  assert.notEqual(toolboxKey(base), toolboxKey({ ...base, packages: { tar: '1.36' } }));
  assert.equal(parseExecutorKind(undefined).ok, true);
  assert.equal(parseExecutorKind('docker').ok, false);
});
