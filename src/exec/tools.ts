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

/** argv printing an installed Debian package's version (for tools without a version flag on stdout). */
const debVersion = (pkg: string): readonly string[] => ['dpkg-query', '-W', '-f=${Version}\\n', pkg];

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
  // e2fsprogs and dosfstools print their versions on stderr: ask dpkg instead.
  mkfsExt4: spec('mkfs.ext4', 'e2fsprogs', debVersion('e2fsprogs')),
  debugfs: spec('debugfs', 'e2fsprogs', debVersion('e2fsprogs')),
  e2fsck: spec('e2fsck', 'e2fsprogs', debVersion('e2fsprogs')),
  mkfsVfat: spec('mkfs.vfat', 'dosfstools', debVersion('dosfstools')),
  mcopy: spec('mcopy', 'mtools'),
  mmd: spec('mmd', 'mtools'),
  sfdisk: spec('sfdisk', 'fdisk'),
  dd: spec('dd', 'coreutils'),
  grubMkimage: spec('grub-mkimage', 'grub-common'),
  // The GRUB module packages ship no program: their modinfo.sh stands in for "installed".
  grubPcModules: spec('/usr/lib/grub/i386-pc/modinfo.sh', 'grub-pc-bin', debVersion('grub-pc-bin')),
  grubEfiAmd64Modules: spec('/usr/lib/grub/x86_64-efi/modinfo.sh', 'grub-efi-amd64-bin', debVersion('grub-efi-amd64-bin')),
  // iso, ipxe, oci packagers.
  xorriso: spec('xorriso', 'xorriso', ['xorriso', '-version']),
  mksquashfs: spec('mksquashfs', 'squashfs-tools', ['mksquashfs', '-version']),
  mkfsErofs: spec('mkfs.erofs', 'erofs-utils', debVersion('erofs-utils')),
  gzip: spec('gzip', 'gzip'),
  // Debian's ipxe ships no program and its binaries are not executable files: its GRUB menu
  // hook (the package's only executable) stands in for "installed" (/usr/lib/ipxe/*).
  ipxeBinaries: spec('/etc/grub.d/20_ipxe', 'ipxe', debVersion('ipxe')),
} as const satisfies Record<string, ToolSpec>;

export type ToolName = keyof typeof TOOLS;
