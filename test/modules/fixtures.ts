/**
 * Fixtures for the 90powernode boot tests: a tiny root (busybox + glibc from the built initrd),
 * seed bundles (layers + seed.conf), and a composefs-style verified image on an ext4 object store.
 * Host tools: zstd, cpio, fsverity (userspace digests), setfattr (attr), mkfs.erofs, mkfs.ext4.
 */
import { execFileSync } from 'node:child_process';
import { chmod, cp, mkdir, readdir, readFile, lstat, symlink, truncate, writeFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

const TINY_ROOT_FROM_INITRD = [
  'usr/lib/powernode/busybox',
  'usr/lib/x86_64-linux-gnu/libc.so.6',
  'usr/lib/x86_64-linux-gnu/libresolv.so.2',
  'usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
];

async function put(root: string, path: string, content: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
  await chmod(join(root, path), mode);
}

/** The test root's PID 1 (after the launcher): prints the union's view, waits for the agent, powers off. */
const TEST_INIT = `#!/bin/sh
export PATH=/usr/bin:/bin
bb=/usr/bin/busybox
$bb mount -t proc proc /proc 2>/dev/null
v() { $bb cat "$1" 2>/dev/null || echo missing; }
echo "UNION-VIEW view=$(v /etc/powernode-view) low=$(v /etc/only-low) base=$(v /etc/only-base) share=$(v /mnt/host/hello) pid=$$"
i=0
while [ ! -e /run/agent-done ] && [ $i -lt 100 ]; do $bb sleep 0.1; i=$((i + 1)); done
echo "TEST-ROOT-DONE agent=$([ -e /run/agent-done ] && echo yes || echo no)"
$bb poweroff -f
`;

/** A root usable by switch_root: busybox, glibc, /sbin/init, the mount points. */
export async function makeBaseRoot(initrd: string, root: string): Promise<void> {
  await mkdir(root, { recursive: true });
  const cpioDir = join(root, '..', 'initrd-x');
  await mkdir(cpioDir, { recursive: true });
  execFileSync('sh', ['-c', 'zstd -dc "$1" | cpio -idm --quiet -D "$2" "$3" "$4" "$5" "$6"', 'sh', initrd, cpioDir, ...TINY_ROOT_FROM_INITRD]);
  for (const d of ['proc', 'sys', 'dev', 'run', 'tmp', 'mnt', 'usr/bin', 'usr/lib64', 'usr/lib/x86_64-linux-gnu', 'sbin']) await mkdir(join(root, d), { recursive: true });
  await cp(join(cpioDir, TINY_ROOT_FROM_INITRD[0] ?? ''), join(root, 'usr/bin/busybox'));
  for (const lib of TINY_ROOT_FROM_INITRD.slice(1)) await cp(join(cpioDir, lib), join(root, lib));
  await chmod(join(root, 'usr/bin/busybox'), 0o755);
  await symlink('../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', join(root, 'usr/lib64/ld-linux-x86-64.so.2'));
  await symlink('usr/lib64', join(root, 'lib64'));
  await symlink('usr/bin', join(root, 'bin'));
  await symlink('busybox', join(root, 'usr/bin/sh'));
  await put(root, 'sbin/init', TEST_INIT, 0o755);
  await put(root, 'etc/powernode-view', 'base\n');
  await put(root, 'etc/only-base', 'base-only\n');
  await rm(cpioDir, { recursive: true, force: true });
}

function agentScript(layer: string): string {
  return `#!/bin/sh
echo "AGENT-RAN layer=${layer} id=$POWERNODE_IDENTITY source=$POWERNODE_IDENTITY_SOURCE phase=$POWERNODE_PHASE"
: > /run/agent-done
`;
}

/** Module layers: mod-low (priority 20) and mod-high (30) both ship /etc/powernode-view and the agent. */
export async function makeModuleLayers(layers: string): Promise<void> {
  for (const [name, view] of [['mod-low', 'low'], ['mod-high', 'high']] as const) {
    await put(join(layers, name), 'etc/powernode-view', `${view}\n`);
    await put(join(layers, name), 'usr/lib/powernode/agent', agentScript(view), 0o755);
  }
  await put(join(layers, 'mod-low'), 'etc/only-low', 'low-only\n');
}

/** seed.conf (format 1); entries deliberately not in priority order. */
export async function writeSeedConf(seed: string, layers: readonly (readonly [string, number])[]): Promise<void> {
  const lines = ['# Powernode seed bundle', 'format=1', ...layers.map(([n, p]) => `layer=${n}:${p}`)];
  await writeFile(join(seed, 'seed.conf'), lines.join('\n') + '\n');
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((e) => join(e.parentPath, e.name)).sort();
}

function fsverityDigest(file: string): string {
  return execFileSync('fsverity', ['digest', '--compact', '--hash-alg=sha256', '--block-size=4096', file], { encoding: 'utf8' }).trim();
}

export interface VerifiedStore { image: string; digest: string; objects: Map<string, string> }

/**
 * composefs-style: every regular file of `root` becomes an object `<store>/objects/xx/rest`
 * named by its fs-verity digest, and a metacopy stub in the EROFS image (same size, xattrs
 * trusted.overlay.metacopy = v0 + sha256 digest, trusted.overlay.redirect = /xx/rest);
 * the image goes to `<store>/images/<digest>.erofs`. Returns the image digest and the
 * object path of each root file.
 */
export async function makeVerifiedStore(root: string, work: string): Promise<VerifiedStore> {
  const meta = join(work, 'meta');
  const store = join(work, 'store');
  await cp(root, meta, { recursive: true, verbatimSymlinks: true });
  await mkdir(join(store, 'images'), { recursive: true });
  const objects = new Map<string, string>();
  for (const path of await walk(root)) {
    const st = await lstat(path);
    if (!st.isFile()) continue;
    const digest = fsverityDigest(path);
    const obj = `${digest.slice(0, 2)}/${digest.slice(2)}`;
    await mkdir(join(store, 'objects', digest.slice(0, 2)), { recursive: true });
    await cp(path, join(store, 'objects', obj));
    const stub = join(meta, relative(root, path));
    await writeFile(stub, '');
    await truncate(stub, st.size);
    await chmod(stub, st.mode & 0o7777);
    // struct ovl_metacopy: version 0, len 36 (4 + 32), flags 0, FS_VERITY_HASH_ALG_SHA256 (1), digest.
    const metacopy = `0x00240001${digest}`;
    execFileSync('setfattr', ['-n', 'trusted.overlay.metacopy', '-v', metacopy, stub]);
    execFileSync('setfattr', ['-n', 'trusted.overlay.redirect', '-v', `/${obj}`, stub]);
    objects.set(relative(root, path), obj);
  }
  const tmpImage = join(work, 'image.erofs');
  execFileSync('mkfs.erofs', ['-T0', '-U', '6f1f0b2e-0000-4000-8000-000000000001', tmpImage, meta], { stdio: 'pipe' });
  const digest = fsverityDigest(tmpImage);
  await cp(tmpImage, join(store, 'images', `${digest}.erofs`));
  return { image: join(store, 'images', `${digest}.erofs`), digest, objects };
}

/** The object store as an ext4 image with the verity feature and 4 KiB blocks (fs-verity needs Merkle block size <= fs block size); fs-verity itself is enabled in the guest. */
export function makeStoreImage(store: string, img: string): void {
  execFileSync('mkfs.ext4', ['-q', '-F', '-b', '4096', '-O', 'verity', '-L', 'pn-store', '-d', store, img, '64M'], { stdio: 'pipe' });
}

export async function tamper(file: string): Promise<void> {
  const data = await readFile(file);
  data[0] = (data[0] ?? 0) ^ 0xff;
  await writeFile(file, data);
}
