/**
 * Cross-field rules, each named and independent, each returning every problem it finds.
 * They run after every file parsed on its own, so users see all problems in one go.
 */
import type { PackagerType, PinsFile, VariantFile } from './schema.js';
import type { ConfigIssue, SharedStage } from './types.js';
import { assertNever } from '../util/result.js';

export interface ParsedVariant { file: string; stem: string; data: VariantFile }
export interface ParsedConfig { variants: readonly ParsedVariant[]; pins: { file: string; data: PinsFile } }

type Rule = (config: ParsedConfig) => ConfigIssue[];

/** Stages a packager reads; a variant must list them under `needs`. */
export function requiredStages(type: PackagerType): readonly SharedStage[] {
  switch (type) {
    case 'kernel-initrd': return ['kernel', 'initramfs'];
    case 'qcow2': return [];
    case 'raw': case 'iso': case 'ipxe': case 'oci': case 'rpi4': case 'arm64-uefi':
      return ['rootfs', 'kernel', 'initramfs'];
    default: return assertNever(type, 'packager type');
  }
}

const ARM64_ONLY: ReadonlySet<PackagerType> = new Set(['rpi4', 'arm64-uefi']);

const nameMatchesFile: Rule = ({ variants }) =>
  variants.filter((v) => v.data.name !== v.stem).map((v) => ({
    file: v.file, path: 'name', message: `expected "${v.stem}" (the file name), got "${v.data.name}"`,
  }));

const archesUnique: Rule = ({ variants }) =>
  variants.filter((v) => new Set(v.data.arches).size !== v.data.arches.length).map((v) => ({
    file: v.file, path: 'arches', message: 'each arch may be listed once',
  }));

const arm64OnlyPackagers: Rule = ({ variants }) =>
  variants.filter((v) => ARM64_ONLY.has(v.data.packager.type) && v.data.arches.some((a) => a !== 'arm64')).map((v) => ({
    file: v.file, path: 'arches', message: `packager "${v.data.packager.type}" builds arm64 images only: expected [arm64]`,
  }));

const needsCoverPackager: Rule = ({ variants }) =>
  variants.flatMap((v) => requiredStages(v.data.packager.type)
    .filter((s) => !v.data.needs.includes(s))
    .map((s) => ({ file: v.file, path: 'needs', message: `packager "${v.data.packager.type}" reads the ${s} stage: add "${s}"` })));

const cmdlinePerArch: Rule = ({ variants }) =>
  variants.flatMap((v) => {
    const p = v.data.packager;
    if (!('cmdline' in p)) return [];
    const cmdline = p.cmdline;
    if (typeof cmdline === 'string') return [];
    return v.data.arches.filter((a) => !(a in cmdline)).map((a) => ({
      file: v.file, path: `packager.cmdline.${a}`, message: `a kernel command line for ${a} is required (the variant builds ${a})`,
    }));
  });

const qcow2FromRaw: Rule = ({ variants }) =>
  variants.flatMap((v) => {
    const p = v.data.packager;
    if (p.type !== 'qcow2') return [];
    const src = variants.find((o) => o.data.name === p.from);
    if (!src || src.data.packager.type !== 'raw') {
      const raws = variants.filter((o) => o.data.packager.type === 'raw').map((o) => o.data.name);
      return [{ file: v.file, path: 'packager.from', message: `expected a variant with packager "raw" (${raws.join(', ') || 'none defined'}), got "${p.from}"` }];
    }
    return v.data.arches.filter((a) => !src.data.arches.includes(a)).map((a) => ({
      file: v.file, path: 'arches', message: `${a} is not built by "${p.from}", which this variant converts`,
    }));
  });

const kernelPinnedPerArch: Rule = ({ variants, pins }) => {
  const used = new Set(variants.flatMap((v) => v.data.arches));
  return [...used].sort().filter((a) => !(a in pins.data.kernel)).map((a) => ({
    file: pins.file, path: `kernel.${a}`, message: `a pinned kernel {package, version} for ${a} is required (variants build ${a})`,
  }));
};

/** An EROFS root is read-only: it is booted as the lowest layer of 90powernode's overlay. */
const erofsRootBootsThroughPowernode: Rule = ({ variants }) =>
  variants.flatMap((v) => {
    const p = v.data.packager;
    if (p.type !== 'raw' || p.root_fs !== 'erofs') return [];
    return Object.entries(p.cmdline).filter(([, c]) => !/(^|\s)root=powernode(\s|$)/.test(c) || !/(^|\s)powernode\.live=\S/.test(c)).map(([arch]) => ({
      file: v.file, path: `packager.cmdline.${arch}`,
      message: 'root_fs: erofs is read-only and boots under a RAM overlay: expected "root=powernode powernode.live=/dev/disk/by-partlabel/root" in place of root=...',
    }));
  });

/** systemd-boot is copied out of the root: the package that ships it must be in the root. */
const systemdBootInRoot: Rule = ({ variants, pins }) => {
  const packages = [...pins.data.packages.common, ...pins.data.packages.arm64];
  if (packages.includes('systemd-boot-efi')) return [];
  return variants.filter((v) => v.data.packager.type === 'arm64-uefi' && v.data.packager.bootloader === 'systemd-boot').map(() => ({
    file: pins.file, path: 'packages.arm64', message: 'bootloader: systemd-boot takes systemd-bootaa64.efi from the root: add "systemd-boot-efi"',
  }));
};

export const RULES: readonly Rule[] = [
  nameMatchesFile, archesUnique, arm64OnlyPackagers, needsCoverPackager, cmdlinePerArch, qcow2FromRaw, kernelPinnedPerArch,
  erofsRootBootsThroughPowernode, systemdBootInRoot,
];

export function checkRules(config: ParsedConfig): ConfigIssue[] {
  return RULES.flatMap((rule) => rule(config));
}
