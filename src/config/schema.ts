/**
 * What users write: the zod schemas for `variants/<name>.yaml` and `manifests/pins.yaml`.
 * The normalized, resolved forms live in `config/types.ts`; cross-field rules in `config/rules.ts`.
 */
import { z } from 'zod';

export const ARCHES = ['amd64', 'arm64'] as const;
export const archSchema = z.enum(ARCHES);

/** Shared stages built once per arch and reused by every variant that needs them. */
export const SHARED_STAGES = ['rootfs', 'kernel', 'initramfs'] as const;
export const sharedStageSchema = z.enum(SHARED_STAGES);

export const BOOT_PATHS = ['direct-kernel', 'bios-uefi', 'uefi', 'hybrid-iso', 'netboot', 'rpi-firmware', 'bootc'] as const;

const kernelInitrdPackager = z.strictObject({
  type: z.literal('kernel-initrd'),
  /** Kernel command line written beside the kernel, per arch (console differs). */
  cmdline: z.partialRecord(archSchema, z.string().min(1)),
});
const rawPackager = z.strictObject({
  type: z.literal('raw'),
  size_mib: z.number().int().min(64),
  esp_mib: z.number().int().min(16).default(64),
  root_fs: z.enum(['ext4', 'erofs']).default('ext4'),
  cmdline: z.partialRecord(archSchema, z.string().min(1)),
});
const qcow2Packager = z.strictObject({
  type: z.literal('qcow2'),
  /** The variant whose raw image is converted. */
  from: z.string().min(1),
  compression: z.enum(['none', 'zlib', 'zstd']).default('none'),
});
const isoPackager = z.strictObject({
  type: z.literal('iso'),
  volume_label: z.string().regex(/^[A-Z0-9_]{1,32}$/, 'ISO 9660 label: A-Z, 0-9, _; at most 32 characters'),
  rootfs_image: z.enum(['squashfs', 'erofs']).default('squashfs'),
  cmdline: z.partialRecord(archSchema, z.string().min(1)),
});
const ipxePackager = z.strictObject({
  type: z.literal('ipxe'),
  /** Base URL the payload is served from; `{instance_id}`, `{arch}`, `{variant}` are templated. */
  base_url: z.string().min(1),
  rootfs_image: z.enum(['squashfs', 'erofs']).default('squashfs'),
  cmdline: z.partialRecord(archSchema, z.string().min(1)),
});
const ociPackager = z.strictObject({
  type: z.literal('oci'),
  labels: z.record(z.string(), z.string()).default({}),
});
const rpi4Packager = z.strictObject({
  type: z.literal('rpi4'),
  size_mib: z.number().int().min(128),
  boot_mib: z.number().int().min(32).default(256),
  cmdline: z.string().min(1),
});
const arm64UefiPackager = z.strictObject({
  type: z.literal('arm64-uefi'),
  size_mib: z.number().int().min(64),
  esp_mib: z.number().int().min(16).default(64),
  bootloader: z.enum(['grub', 'systemd-boot']).default('grub'),
  cmdline: z.string().min(1),
});

export const packagerSchema = z.discriminatedUnion('type', [
  kernelInitrdPackager, rawPackager, qcow2Packager, isoPackager, ipxePackager, ociPackager, rpi4Packager, arm64UefiPackager,
]);
export type PackagerInput = z.input<typeof packagerSchema>;
export type Packager = z.output<typeof packagerSchema>;
export type PackagerType = Packager['type'];

export const variantFileSchema = z.strictObject({
  /** Format version of this file. */
  format: z.literal(1),
  /** Must equal the file name without `.yaml`. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  description: z.string().default(''),
  arches: z.array(archSchema).min(1),
  /** How the artifact boots: decides the smoke test and the packager's checks. */
  boot: z.enum(BOOT_PATHS),
  /** Shared stages this variant consumes. */
  needs: z.array(sharedStageSchema).default([]),
  packager: packagerSchema,
});
export type VariantFileInput = z.input<typeof variantFileSchema>;
export type VariantFile = z.output<typeof variantFileSchema>;

const debianVersion = z.string().regex(/^[0-9][A-Za-z0-9.+~:-]*$/, 'a Debian version such as 6.12.117-1');
const packageName = z.string().regex(/^[a-z0-9][a-z0-9.+-]+$/, 'a Debian package name');

export const pinsFileSchema = z.strictObject({
  format: z.literal(1),
  debian: z.strictObject({
    suite: z.string().min(1).default('trixie'),
    /** `auto`: the first Debian mirror in this machine's apt sources. */
    mirror: z.union([z.literal('auto'), z.url()]).default('auto'),
    /** snapshot.debian.org timestamp (YYYYMMDDTHHMMSSZ); turns into snapshot URLs. */
    snapshot: z.string().regex(/^\d{8}T\d{6}Z$/, 'a snapshot timestamp like 20261121T091544Z').nullable().default(null),
    components: z.array(z.string().min(1)).min(1).default(['main']),
    mmdebstrap_variant: z.enum(['essential', 'minbase', 'required', 'important']).default('minbase'),
  }),
  /** Unix seconds; `git` means the commit time of the build inputs. */
  source_date_epoch: z.union([z.number().int().nonnegative(), z.literal('git')]).default('git'),
  kernel: z.partialRecord(archSchema, z.strictObject({ package: packageName, version: debianVersion })),
  packages: z.strictObject({
    common: z.array(packageName).default([]),
    amd64: z.array(packageName).default([]),
    arm64: z.array(packageName).default([]),
  }),
  /** Where the root filesystem comes from: a Debian bootstrap, or a directory tree (fixtures, custom roots). */
  rootfs: z.discriminatedUnion('source', [
    z.strictObject({ source: z.literal('mmdebstrap') }),
    z.strictObject({ source: z.literal('dir'), /** Relative to the project root. */ path: z.string().min(1) }),
    z.strictObject({
      source: z.literal('oci'),
      /** `oci://registry/repo@sha256:...` (or a tag, resolved when the step runs and recorded as a digest). */
      reference: z.string().regex(/^oci:\/\/[^/]+\/.+/, 'an oci://registry/repository[:tag][@sha256:...] reference'),
    }),
  ]).default({ source: 'mmdebstrap' }),
  /** How the initramfs is made: dracut inside the rootfs, or a plain reproducible cpio of the rootfs. */
  initramfs: z.strictObject({
    builder: z.enum(['dracut', 'cpio']).default('dracut'),
    compress: z.enum(['zstd', 'gzip', 'none']).default('zstd'),
  }).default({ builder: 'dracut', compress: 'zstd' }),
  /** Versions the rootfs must resolve to, checked against its dpkg status (e.g. dracut). */
  rootfs_versions: z.record(packageName, debianVersion).default({}),
  /** Host tool versions this build was pinned against: recorded, and mismatches reported. */
  tools: z.record(z.string(), z.string()).default({}),
});
export type PinsFileInput = z.input<typeof pinsFileSchema>;
export type PinsFile = z.output<typeof pinsFileSchema>;
