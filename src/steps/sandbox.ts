/**
 * argv builders for running a program inside a root filesystem tree with bubblewrap: no mounts
 * on the host, nothing left behind. Pure functions; the executor runs what they return.
 */
export interface InRootOptions {
  /** The root filesystem directory. */
  root: string;
  /** Host directories bound read-write inside, as [hostPath, pathInside]. */
  binds?: readonly (readonly [string, string])[];
  /** The whole environment inside: the host's is cleared so nothing of the build host leaks in. */
  env: Readonly<Record<string, string>>;
}

export function inRoot(opts: InRootOptions, argv: readonly string[]): string[] {
  const binds = (opts.binds ?? []).flatMap(([host, inside]) => ['--bind', host, inside]);
  const env = Object.entries(opts.env).sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([k, v]) => ['--setenv', k, v]);
  // No /sys: nothing of the build host's hardware may shape a generic image.
  return [
    'bwrap', '--bind', opts.root, '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/run',
    '--unshare-all', '--hostname', 'powernode-build', '--die-with-parent', '--clearenv', ...env,
    ...binds, '--chdir', '/', '--',
    // The caller's umask would shape every file the command creates (dracut's initrd among them).
    '/bin/sh', '-c', 'umask 022 && exec "$@"', 'sh',
    ...argv,
  ];
}

/** Environment for commands inside a root: fixed locale, timezone and PATH. */
export function rootEnv(sourceDateEpoch: number): Record<string, string> {
  return {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', TZ: 'UTC',
    SOURCE_DATE_EPOCH: String(sourceDateEpoch),
    TMPDIR: '/tmp',
  };
}
