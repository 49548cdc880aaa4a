/** Trees for the initramfs and OCI tests: made by the test, with the awkward kinds of files. */
import assert from 'node:assert/strict';
import { chmod, link, mkdir, stat, symlink, writeFile, copyFile } from 'node:fs/promises';
import { runCli, SHARED_CACHE, SHARED_OUT } from '../helpers.js';
import { join } from 'node:path';
import { HostExecutor } from '../../src/exec/host.js';
import type { Invocation } from '../../src/exec/types.js';
import { formatExecFailure } from '../../src/exec/format.js';

export const executor = new HostExecutor();
export const isRoot = process.getuid?.() === 0;

/** Runs a command through the executor; throws with the plain-words failure. */
export async function run(argv: string[], extra: Partial<Invocation> = {}): Promise<string> {
  const r = await executor.run({ argv, captureStdout: true, ...extra }, { signal: AbortSignal.timeout(120_000) });
  if (!r.ok) throw new Error(formatExecFailure(r.error));
  return r.value.stdout;
}

/** Files, a hard link pair, a symlink, a fifo and (as root) device nodes. */
export async function writeMixedTree(dir: string): Promise<void> {
  await mkdir(join(dir, 'etc/sub'), { recursive: true });
  await mkdir(join(dir, 'bin'), { recursive: true });
  await mkdir(join(dir, 'dev'), { recursive: true });
  await writeFile(join(dir, 'etc/hostname'), 'powernode\n');
  await writeFile(join(dir, 'etc/sub/a'), 'linked data\n');
  await link(join(dir, 'etc/sub/a'), join(dir, 'etc/b-link'));
  await writeFile(join(dir, 'bin/tool'), '#!/bin/sh\necho tool\n');
  await chmod(join(dir, 'bin/tool'), 0o750);
  await symlink('tool', join(dir, 'bin/tool-alias'));
  await run(['mkfifo', join(dir, 'dev/fifo')]);
  if (isRoot) {
    await run(['mknod', '-m', '600', join(dir, 'dev/console'), 'c', '5', '1']);
    await run(['mknod', '-m', '660', join(dir, 'dev/sda1'), 'b', '8', '1']);
  }
}

/**
 * A busybox initramfs tree whose /init prints the marker with the id from the kernel command
 * line (`powernode.id=`) and powers off.
 */
export async function writeBusyboxTree(dir: string): Promise<void> {
  for (const d of ['bin', 'dev', 'proc', 'sys']) await mkdir(join(dir, d), { recursive: true });
  await copyFile('/bin/busybox', join(dir, 'bin/busybox'));
  await chmod(join(dir, 'bin/busybox'), 0o755);
  await symlink('busybox', join(dir, 'bin/sh'));
  if (isRoot) await run(['mknod', '-m', '600', join(dir, 'dev/console'), 'c', '5', '1']);
}

export const MARKER_INIT = `#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
for w in $(/bin/busybox cat /proc/cmdline); do case "$w" in powernode.id=*) id="\${w#powernode.id=}";; esac; done
echo "POWERNODE-INIT-OK id=\${id:-none}"
/bin/busybox poweroff -f
`;

/** The amd64 kernel built earlier in this test run (or built now into the shared cache). */
export async function testKernel(): Promise<string> {
  if (process.env.POWERNODE_TEST_KERNEL) return process.env.POWERNODE_TEST_KERNEL;
  const kernel = join(SHARED_OUT, 'kernel-initrd', 'amd64', 'vmlinuz');
  if (!(await stat(kernel).then((s) => s.size > 1 << 20, () => false))) {
    const built = await runCli(['--arch', 'amd64', '--variant', 'kernel-initrd', '--out', SHARED_OUT, '--cache-dir', SHARED_CACHE]);
    assert.equal(built.code, 0, built.stderr);
  }
  return kernel;
}
