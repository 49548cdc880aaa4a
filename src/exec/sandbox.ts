/**
 * The toolbox executor: every command runs inside the pinned toolbox with bubblewrap. The
 * toolbox's /usr, /etc, /var are bound read-only over an empty root; the run's directories
 * (cache, output, project) are bound at the same paths, so argv paths built by steps stay
 * valid. The network is shared (mmdebstrap fetches from the mirror); the environment is not.
 */
import { mkdtemp, readdir, lstat, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecFailure, ExecOutput, Executor, Invocation, RunOptions } from './types.js';
import type { Toolbox } from '../toolbox/build.js';
import { HostExecutor } from './host.js';
import { whichInRoot } from './in-root.js';
import type { Result } from '../util/result.js';

export const TOOLBOX_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const BOUND_DIRS = new Set(['usr', 'etc', 'var', 'opt']);

/** Base environment inside the toolbox: nothing of the caller's leaks in. */
export function toolboxEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { PATH: TOOLBOX_PATH.join(':'), HOME: '/root', TMPDIR: '/tmp', ...extra };
}

export interface Binds {
  /** Host directories bound read-write at the same path. */
  rw: readonly string[];
  /** Host directories bound read-only at the same path. */
  ro: readonly string[];
}

/** The toolbox's top level: bound directories and the merged-/usr symlinks. */
async function topLevel(root: string): Promise<string[]> {
  const args: string[] = [];
  for (const name of (await readdir(root)).sort()) {
    const st = await lstat(join(root, name));
    if (st.isSymbolicLink()) args.push('--symlink', await readlink(join(root, name)), `/${name}`);
    else if (st.isDirectory() && BOUND_DIRS.has(name)) args.push('--ro-bind', join(root, name), `/${name}`);
  }
  return args;
}

/** The bwrap argv around a command. `top` is topLevel(root); pure otherwise. */
export function sandboxArgv(top: readonly string[], binds: Binds, tmp: string, inv: Invocation): string[] {
  const env = Object.entries(toolboxEnv(inv.env)).sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([k, v]) => ['--setenv', k, v]);
  return [
    'bwrap', '--die-with-parent', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--hostname', 'powernode-toolbox',
    ...top,
    // Real devices: mmdebstrap creates device nodes and loop-free tools read /dev/null, /dev/urandom.
    // The host's /proc, not a fresh one: bwrap's fresh /proc has read-only overmounts, after which
    // the kernel refuses the nested bwrap of the initramfs step its own proc ("Operation not
    // permitted", measured). The sandbox is for pinned tools, not for isolation.
    '--dev-bind', '/dev', '/dev', '--bind', '/proc', '/proc', '--ro-bind', '/sys', '/sys',
    '--bind', tmp, '/tmp', '--tmpfs', '/run', '--tmpfs', '/var/tmp', '--tmpfs', '/root',
    '--ro-bind', '/etc/resolv.conf', '/etc/resolv.conf',
    ...binds.ro.flatMap((d) => ['--ro-bind', d, d]),
    ...binds.rw.flatMap((d) => ['--bind', d, d]),
    '--clearenv', ...env, '--chdir', inv.cwd ?? '/', '--',
    ...inv.argv,
  ];
}

export class SandboxExecutor implements Executor {
  readonly name = 'toolbox';
  private top: Promise<string[]> | undefined;
  constructor(
    readonly toolbox: Toolbox,
    private readonly binds: Binds,
    private readonly host: Executor = new HostExecutor(),
  ) {}

  which(program: string): Promise<string | undefined> {
    return whichInRoot(this.toolbox.root, program, TOOLBOX_PATH);
  }

  async run(inv: Invocation, opts: RunOptions): Promise<Result<ExecOutput, ExecFailure>> {
    this.top ??= topLevel(this.toolbox.root);
    // A private /tmp on disk, not tmpfs: mmdebstrap stages a whole root there.
    const tmp = await mkdtemp(join(tmpdir(), 'pnib-toolbox-'));
    try {
      const argv = sandboxArgv(await this.top, this.binds, tmp, inv);
      const r = await this.host.run({ ...inv, argv, env: {}, cwd: undefined }, opts);
      // Failures name the command the step asked for; the bwrap wrapper is an implementation detail.
      return r.ok ? r : { ok: false, error: { ...r.error, argv: inv.argv } };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
}
