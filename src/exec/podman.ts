/**
 * The podman executor: the same toolbox, imported as an OCI image (`podman import` of its
 * reproducible tar), one container per command with the run's directories bound at the same
 * paths. Flags that work on these machines (Debian podman 4.3): vfs storage, cgroupfs, runc.
 * Storage lives under the cache (<cache>/podman) so it never mixes with anyone else's.
 * --privileged: steps nest bubblewrap (dracut) and mmdebstrap mounts /proc in its chroot.
 */
import type { ExecFailure, ExecOutput, Executor, Invocation, RunOptions } from './types.js';
import type { Toolbox } from '../toolbox/build.js';
import type { Binds } from './sandbox.js';
import { TOOLBOX_PATH, toolboxEnv } from './sandbox.js';
import { HostExecutor } from './host.js';
import { whichInRoot } from './in-root.js';
import { err, ok, type Result } from '../util/result.js';

export interface PodmanStorage { root: string; runroot: string }

/** Global flags of every podman command. Pure. */
export function podmanGlobal(storage: PodmanStorage): string[] {
  return ['podman', '--root', storage.root, '--runroot', storage.runroot, '--storage-driver=vfs', '--cgroup-manager=cgroupfs'];
}

export const imageTag = (toolbox: Toolbox): string => `localhost/powernode-toolbox:${toolbox.digest.replace(/^sha256:/, '').slice(0, 16)}`;

/** The `podman run` argv for one command. Pure. */
export function podmanRunArgv(storage: PodmanStorage, image: string, name: string, binds: Binds, inv: Invocation): string[] {
  const env = Object.entries(toolboxEnv(inv.env)).sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  return [
    ...podmanGlobal(storage), 'run', '--rm', '--runtime', 'runc', '--network=host', '--privileged',
    '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096', '--name', name, '--hostname', 'powernode-toolbox',
    ...binds.ro.flatMap((d) => ['-v', `${d}:${d}:ro`]), ...binds.rw.flatMap((d) => ['-v', `${d}:${d}`]),
    ...env, '-w', inv.cwd ?? '/', ...(inv.stdinFile ? ['-i'] : []), image, ...inv.argv,
  ];
}

let counter = 0;

export class PodmanExecutor implements Executor {
  readonly name = 'podman';
  private image: Promise<Result<string, ExecFailure>> | undefined;
  constructor(
    readonly toolbox: Toolbox,
    private readonly binds: Binds,
    private readonly storage: PodmanStorage,
    private readonly host: Executor = new HostExecutor(),
  ) {}

  /** The image holds exactly the toolbox tree, so lookups read the unpacked tree (no container start). */
  which(program: string): Promise<string | undefined> {
    return whichInRoot(this.toolbox.root, program, TOOLBOX_PATH);
  }

  /** Imports the toolbox tar once per digest (and once per executor instance). */
  ensureImage(opts: RunOptions): Promise<Result<string, ExecFailure>> {
    this.image ??= (async () => {
      const tag = imageTag(this.toolbox);
      const exists = await this.host.run({ argv: [...podmanGlobal(this.storage), 'image', 'exists', tag] }, opts);
      if (exists.ok) return ok(tag);
      const imported = await this.host.run({
        argv: [...podmanGlobal(this.storage), 'import', '--quiet', this.toolbox.tar, tag],
        purpose: 'import the toolbox into podman', hint: 'podman and runc must be installed (./setup.sh)',
      }, opts);
      return imported.ok ? ok(tag) : err(imported.error);
    })();
    return this.image;
  }

  async run(inv: Invocation, opts: RunOptions): Promise<Result<ExecOutput, ExecFailure>> {
    const image = await this.ensureImage(opts);
    if (!image.ok) { this.image = undefined; return image; }
    const name = `pnib-${process.pid}-${++counter}`;
    const r = await this.host.run({ ...inv, argv: podmanRunArgv(this.storage, image.value, name, this.binds, inv), env: {}, cwd: undefined }, opts);
    if (r.ok) return r;
    if (r.error.code === 'aborted' || r.error.code === 'timeout') {
      // Killing the podman client does not stop its container: remove it, whatever the signal says.
      await this.host.run({ argv: [...podmanGlobal(this.storage), 'rm', '--force', '--time', '0', '--ignore', name] }, { signal: new AbortController().signal });
    }
    return { ok: false, error: { ...r.error, argv: inv.argv } };
  }
}
