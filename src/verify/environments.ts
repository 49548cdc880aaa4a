/**
 * The two environments `build verify` builds in. They differ in everything that must not matter:
 * build path, time zone, locale, umask, hostname, job count (which changes the order steps start and interleave in).
 */
export interface VerifyEnvironment {
  name: 'a' | 'b';
  env: Record<string, string>;
  umask: string;
  hostname: string;
  jobs: number;
}

export const ENVIRONMENTS: readonly VerifyEnvironment[] = [
  { name: 'a', env: { TZ: 'UTC', LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' }, umask: '022', hostname: 'verify-a', jobs: 1 },
  { name: 'b', env: { TZ: 'Pacific/Kiritimati', LC_ALL: 'C', LANG: 'C' }, umask: '077', hostname: 'verify-b-with-a-longer-name', jobs: 2 },
];

/**
 * argv that runs the builder in a fresh UTS namespace with its own hostname and umask.
 * `unshare --uts` needs root, as the builds themselves do.
 */
export function isolatedBuildArgv(e: VerifyEnvironment, node: string, cli: string, buildArgs: readonly string[]): string[] {
  return [
    'unshare', '--uts', '--', 'sh', '-c', `umask ${e.umask} && hostname "$0" && exec "$@"`, e.hostname,
    node, cli, ...buildArgs, '--jobs', String(e.jobs),
  ];
}
