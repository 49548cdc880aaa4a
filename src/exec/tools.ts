/**
 * The host tools steps may need: which Debian package provides each, why it is needed, and how
 * to read its version. Preflight checks the plan's tools before anything runs.
 */
export interface ToolSpec {
  /** Program name looked up on PATH. */
  program: string;
  /** Debian package that provides it. */
  package: string;
  /** argv that prints the version (first line containing a version is recorded). */
  version: readonly string[];
}

const spec = (program: string, pkg: string, version: readonly string[] = [program, '--version']): ToolSpec =>
  ({ program, package: pkg, version });

export const TOOLS = {
  mmdebstrap: spec('mmdebstrap', 'mmdebstrap'),
  tar: spec('tar', 'tar'),
  bwrap: spec('bwrap', 'bubblewrap'),
  zstd: spec('zstd', 'zstd', ['zstd', '-V']),
  cpio: spec('cpio', 'cpio'),
  qemuAmd64: spec('qemu-system-x86_64', 'qemu-system-x86'),
  qemuArm64: spec('qemu-system-aarch64', 'qemu-system-arm'),
  qemuAarch64Static: spec('qemu-aarch64-static', 'qemu-user-static', ['qemu-aarch64-static', '--version']),
  updateBinfmts: spec('update-binfmts', 'binfmt-support'),
  qemuImg: spec('qemu-img', 'qemu-utils'),
  fsverity: spec('fsverity', 'fsverity', ['fsverity', '--version']),
} as const satisfies Record<string, ToolSpec>;

export type ToolName = keyof typeof TOOLS;
