/**
 * What a layer does to a copy of its parent's tree, in order: apt repos and their keys,
 * packages installed, packages purged, files copied in, commands run. Commands run through
 * the executor inside the tree (bubblewrap, cleared environment; network only for apt).
 */
import { chmod, copyFile, lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import type { Executor } from '../exec/types.js';
import { formatExecFailure } from '../exec/format.js';
import { rootEnv } from '../steps/sandbox.js';
import type { LayerFile } from './schema.js';
import type { LayerFailure } from './types.js';
import { err, ok, type Result } from '../util/result.js';

export interface ApplyOptions { executor: Executor; signal: AbortSignal; sourceDateEpoch: number; log?: (line: string) => void }

/** bwrap argv running `argv` with `root` as /; `net` shares the host network (apt). Pure. */
export function layerSandboxArgv(root: string, env: Readonly<Record<string, string>>, net: boolean, argv: readonly string[]): string[] {
  const setenv = Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([k, v]) => ['--setenv', k, v]);
  return [
    'bwrap', '--bind', root, '/', '--dev', '/dev', '--proc', '/proc', '--perms', '1777', '--tmpfs', '/tmp', '--tmpfs', '/run',
    // No user namespace and all capabilities: apt drops to _apt and dpkg chowns to any uid, so
    // the root must be real root over the whole uid range (layers are built as root).
    '--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try', '--cap-add', 'ALL',
    ...(net ? ['--ro-bind', '/etc/resolv.conf', '/etc/resolv.conf'] : ['--unshare-net']),
    '--hostname', 'powernode-build', '--die-with-parent', '--clearenv', ...setenv, '--chdir', '/', '--', ...argv,
  ];
}

/** A deb822 sources file for one repo, its key at /etc/apt/keyrings/<alias>.<asc|gpg>. Pure. */
export function sourcesFile(repo: LayerFile['repos'][number]): { path: string; keyPath: string; text: string } {
  const keyPath = `/etc/apt/keyrings/${repo.alias}${extname(repo.key) === '.asc' ? '.asc' : '.gpg'}`;
  const text = ['Types: deb', `URIs: ${repo.url}`, `Suites: ${repo.suite}`, `Components: ${repo.components.join(' ')}`, `Signed-By: ${keyPath}`, ''].join('\n');
  return { path: `/etc/apt/sources.list.d/${repo.alias}.sources`, keyPath, text };
}

const inside = (root: string, p: string): string => join(root, resolve('/', p));

async function runIn(root: string, argv: readonly string[], net: boolean, purpose: string, o: ApplyOptions): Promise<Result<void, LayerFailure>> {
  const env = { ...rootEnv(o.sourceDateEpoch), DEBIAN_FRONTEND: 'noninteractive' };
  const r = await o.executor.run({ argv: layerSandboxArgv(root, env, net, argv), purpose }, { signal: o.signal, onLine: o.log });
  return r.ok ? ok(undefined) : err({ code: 'exec', message: formatExecFailure(r.error), cause: r.error });
}

async function applyPackages(root: string, file: LayerFile, o: ApplyOptions): Promise<Result<void, LayerFailure>> {
  if (file.packages.length === 0 && file.remove_packages.length === 0) return ok(undefined);
  const steps: [string[], string][] = [
    [['apt-get', 'update'], 'apt-get update'],
    ...(file.packages.length ? [[['apt-get', 'install', '-y', '--no-install-recommends', ...[...file.packages].sort()], `install ${file.packages.join(' ')}`] as [string[], string]] : []),
    ...(file.remove_packages.length ? [[['apt-get', 'purge', '-y', '--auto-remove', ...[...file.remove_packages].sort()], `purge ${file.remove_packages.join(' ')}`] as [string[], string]] : []),
    [['sh', '-c', 'apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log /var/cache/ldconfig/aux-cache'], 'clean apt state'],
  ];
  // The host's resolver is bound over /etc/resolv.conf for apt; a placeholder bwrap had to
  // create for it is removed again, so the tree does not depend on the build host.
  const resolv = inside(root, '/etc/resolv.conf');
  const hadResolv = await lstat(resolv).then(() => true, () => false);
  try {
    for (const [argv, purpose] of steps) {
      const r = await runIn(root, argv, true, `layer ${file.name}: ${purpose}`, o);
      if (!r.ok) return r;
    }
    return ok(undefined);
  } finally {
    if (!hadResolv) await rm(resolv, { force: true });
  }
}

export async function applyLayer(root: string, file: LayerFile, layerPath: string, o: ApplyOptions): Promise<Result<void, LayerFailure>> {
  const base = dirname(layerPath);
  try {
    for (const repo of file.repos) {
      const s = sourcesFile(repo);
      await mkdir(dirname(inside(root, s.path)), { recursive: true });
      await mkdir(dirname(inside(root, s.keyPath)), { recursive: true });
      await writeFile(inside(root, s.path), s.text, { mode: 0o644 });
      await copyFile(resolve(base, repo.key), inside(root, s.keyPath));
      await chmod(inside(root, s.keyPath), 0o644);
    }
  } catch (cause) {
    return err({ code: 'io', message: `layer ${file.name}: writing the apt repos failed`, cause });
  }
  const pkgs = await applyPackages(root, file, o);
  if (!pkgs.ok) return pkgs;
  try {
    for (const c of file.copyfiles) {
      const dst = inside(root, c.dst);
      await mkdir(dirname(dst), { recursive: true });
      await copyFile(resolve(base, c.src), dst);
      if (c.mode) await chmod(dst, parseInt(c.mode, 8));
    }
  } catch (cause) {
    return err({ code: 'io', message: `layer ${file.name}: copyfiles failed`, cause });
  }
  for (const [i, c] of file.cmds.entries()) {
    const r = await runIn(root, ['/bin/sh', '-c', c.cmd], false, `layer ${file.name}: cmds[${i}]`, o);
    if (!r.ok) return r;
  }
  return ok(undefined);
}
