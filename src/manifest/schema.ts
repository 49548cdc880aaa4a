/** zod schema of build-manifest.json, the source of manifests/schema/build-manifest.schema.json. */
import { z } from 'zod';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const fileDigestSchema = z.object({
  path: z.string(),
  size: z.number().int().nonnegative(),
  sha256: hex64,
  fsverity_root_hash: hex64.describe('fs-verity digest (sha256, 4096-byte blocks, no salt) as `fsverity digest` prints it'),
});

export const buildManifestSchema = z.object({
  format: z.literal(1),
  variant: z.string(),
  arch: z.enum(['amd64', 'arm64']),
  boot: z.string(),
  packager: z.record(z.string(), z.unknown()),
  source_date_epoch: z.number().int(),
  pins: z.record(z.string(), z.unknown()),
  tools: z.record(z.string(), z.string()),
  inputs: z.array(z.object({ path: z.string(), sha256: hex64, executable: z.boolean() })),
  steps: z.array(z.object({ id: z.string(), kind: z.string(), key: hex64 })),
  facts: z.record(z.string(), z.record(z.string(), z.unknown())),
  packages: z.array(z.object({ name: z.string(), version: z.string(), arch: z.string() })),
  artifacts: z.array(fileDigestSchema),
  oci_digest: z.string().regex(/^sha256:[0-9a-f]{64}$/).nullable(),
  toolbox: z.object({ digest: z.string().regex(/^sha256:[0-9a-f]{64}$/), key: hex64 }).optional()
    .describe('the pinned toolbox the steps ran in (--executor toolbox|podman); absent for host builds'),
  sbom: z.string().nullable().describe('SPDX 2.3 JSON of the root filesystem, beside the artifacts'),
  provenance: z.string().describe('SLSA v1 provenance (in-toto Statement v1) over the artifacts'),
  run: z.object({
    host: z.string(), started_at: z.string(), duration_ms: z.number(), executor: z.string(), builder_version: z.string(), node: z.string(),
  }).describe('per-run envelope: everything outside it is reproducible'),
});
