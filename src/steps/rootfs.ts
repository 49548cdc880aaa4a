/**
 * rootfs: the root filesystem as a reproducible tar. mmdebstrap from the pinned suite and mirror
 * (SOURCE_DATE_EPOCH makes its tar output bit-identical), or a directory tree packed by tar.
 * The kernel package's own initramfs run is diverted: the initramfs step runs dracut once.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Arch, Config } from '../config/types.js';
import type { StepContext, StepImpl } from './types.js';
import type { StepFailure } from '../run/types.js';
import { TOOLS } from '../exec/tools.js';
import { checkVersions, parseDpkgStatus } from './dpkg-status.js';
import { ensureBinfmt, isForeign } from './binfmt.js';
import { sha256Hex } from '../util/hash.js';
import { ociRootfs } from '../sources/oci-rootfs.js';
import { err, ok, type Result } from '../util/result.js';
import { writeRootfsSbom } from '../sbom/rootfs-sbom.js';

export const ROOTFS_TAR = 'rootfs.tar';
const DIVERTED = ['/etc/kernel/postinst.d/dracut', '/etc/kernel/postinst.d/initramfs-tools'];

/** The mmdebstrap argv for a pinned Debian root. Pure. */
export function mmdebstrapArgv(config: Config, arch: Arch, target: string, listsDir: string): string[] {
  const { debian, packages, kernel } = config.pins;
  const pin = kernel[arch];
  if (!pin) throw new Error(`invariant: no kernel pin for ${arch} (rules check this)`);
  const include = [...new Set([...packages.common, ...packages[arch], pin.package])].sort();
  // Divert the kernel's initramfs hooks to no-op stubs while packages install (dracut's own
  // postinst and trigger call them directly), then put the real files back.
  const divert = DIVERTED.map((f) => `chroot "$1" dpkg-divert --quiet --local --rename --divert ${f}.powernode-off --add ${f} && mkdir -p "$1${f.slice(0, f.lastIndexOf('/'))}" && printf '#!/bin/sh\\nexit 0\\n' > "$1${f}" && chmod 755 "$1${f}"`).join(' && ');
  const undivert = DIVERTED.map((f) => `rm -f "$1${f}" && chroot "$1" dpkg-divert --quiet --local --rename --remove ${f}`).join(' && ');
  return [
    'mmdebstrap', `--variant=${debian.mmdebstrap_variant}`, `--architectures=${arch}`,
    `--components=${debian.components.join(',')}`, `--include=${include.join(',')}`,
    '--aptopt=Acquire::Retries "3"', '--dpkgopt=path-exclude=/usr/share/doc/*', '--dpkgopt=path-include=/usr/share/doc/*/copyright',
    `--essential-hook=${divert}`,
    `--customize-hook=${undivert}`,
    '--customize-hook=rm -f "$1"/boot/initrd.img* "$1"/initrd.img* "$1"/initrd.img.old',
    '--customize-hook=: > "$1/etc/machine-id"; rm -f "$1/var/lib/dbus/machine-id"',
    // mmdebstrap copies the build host's name and resolver into the root: neither may leak.
    '--customize-hook=echo powernode > "$1/etc/hostname"; : > "$1/etc/resolv.conf"',
    `--customize-hook=sync-out /var/lib/apt/lists ${listsDir}`,
    debian.suite, target, debian.resolved_mirror,
  ];
}

/** The mirror's Release date and hash, so a build elsewhere can name the matching snapshot. */
async function releaseFacts(listsDir: string, suite: string): Promise<Record<string, unknown>> {
  const names = (await readdir(listsDir)).filter((n) => /_dists_[^_]+_(In)?Release$/.test(n)).sort();
  const name = names.find((n) => n.includes(`_dists_${suite}_`)) ?? names[0];
  if (!name) return {};
  const text = await readFile(join(listsDir, name), 'utf8');
  const date = /^Date: (.*)$/m.exec(text)?.[1] ?? null;
  const stamp = date ? new Date(date).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z') : null;
  return { file: name, date, sha256: sha256Hex(text), snapshot_timestamp: stamp };
}

async function runMmdebstrap(ctx: StepContext, tar: string): Promise<Result<Record<string, unknown>, StepFailure>> {
  const { config, step } = ctx;
  const binfmt = await ensureBinfmt(ctx, step.arch);
  if (!binfmt.ok) return binfmt;
  const lists = join(ctx.workDir, 'lists');
  const r = await ctx.exec({
    argv: mmdebstrapArgv(config, step.arch, tar, lists),
    env: { SOURCE_DATE_EPOCH: String(config.pins.source_date_epoch), LC_ALL: 'C.UTF-8', TZ: 'UTC' },
    purpose: `bootstrap the ${step.arch} root filesystem`,
    hint: 'check the mirror in manifests/pins.yaml is reachable and still carries the pinned kernel; pin a snapshot for old versions',
  });
  if (!r.ok) return err({ code: 'exec', failure: r.error });
  return ok({ release: await releaseFacts(lists, config.pins.debian.suite), foreign: isForeign(step.arch) });
}

async function packDir(ctx: StepContext, dir: string, tar: string): Promise<Result<Record<string, unknown>, StepFailure>> {
  const r = await ctx.exec({
    argv: ['tar', '--sort=name', `--mtime=@${ctx.config.pins.source_date_epoch}`, '--clamp-mtime', '--owner=0', '--group=0', '--numeric-owner',
      '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime', '--format=posix', '-C', dir, '-cf', tar, '.'],
    env: { LC_ALL: 'C.UTF-8' },
    purpose: `pack ${dir} into the root filesystem tar`,
  });
  return r.ok ? ok({ source_dir: ctx.config.pins.rootfs.source === 'dir' ? ctx.config.pins.rootfs.path : dir }) : err({ code: 'exec', failure: r.error });
}

async function packageFacts(ctx: StepContext, tar: string, listsDir: string | undefined): Promise<Result<Record<string, unknown>, StepFailure>> {
  const r = await ctx.exec({ argv: ['tar', '-xOf', tar, './var/lib/dpkg/status'], captureStdout: true, purpose: 'read the dpkg status of the root' });
  const status = r.ok ? r.value.stdout : '';
  const packages = parseDpkgStatus(status);
  await writeRootfsSbom(ctx, tar, status, listsDir);
  if (ctx.config.pins.rootfs.source !== 'mmdebstrap') return ok({ packages });
  const pin = ctx.config.pins.kernel[ctx.step.arch];
  const pinned = { ...ctx.config.pins.rootfs_versions, ...(pin ? { [pin.package]: pin.version } : {}) };
  const problems = checkVersions(packages, pinned);
  return problems.length > 0 ? err({ code: 'check', message: `${ctx.step.id}: pinned versions not met:\n  ${problems.join('\n  ')}\n  update manifests/pins.yaml or pin a snapshot` }) : ok({ packages });
}

export const rootfsStep: StepImpl = {
  tools: (_step, config) => (config.pins.rootfs.source === 'mmdebstrap'
    ? [TOOLS.mmdebstrap, TOOLS.tar, ...(isForeign(_step.arch) ? [TOOLS.qemuAarch64Static, TOOLS.updateBinfmts] : [])]
    : config.pins.rootfs.source === 'oci' ? [TOOLS.tar, TOOLS.bwrap] : [TOOLS.tar]),
  async run(ctx) {
    const tar = join(ctx.outDir, ROOTFS_TAR);
    const source = ctx.config.pins.rootfs;
    const made = source.source === 'dir' ? await packDir(ctx, join(ctx.config.root, source.path), tar)
      : source.source === 'oci' ? await ociRootfs(ctx, source.reference, tar) : await runMmdebstrap(ctx, tar);
    if (!made.ok) return made;
    const pkgs = await packageFacts(ctx, tar, source.source === 'mmdebstrap' ? join(ctx.workDir, 'lists') : undefined);
    return pkgs.ok ? ok({ ...made.value, ...pkgs.value }) : pkgs;
  },
};
