/** build-manifest.json: the field names are a contract with users' scripts. Type-only module. */
import type { FileDigest } from '../digest/file-digest.js';
import type { Arch, InputFile } from '../config/types.js';

export interface DebPackage { name: string; version: string; arch: string }

/**
 * Everything but `run` is the reproducible core: two builds of the same inputs produce the
 * same core, byte for byte. `run` is the per-run envelope.
 */
export interface BuildManifest {
  format: 1;
  variant: string;
  arch: Arch;
  boot: string;
  packager: Record<string, unknown>;
  source_date_epoch: number;
  /** The pins the build used (manifests/pins.yaml, resolved). */
  pins: Record<string, unknown>;
  /** Versions of the host tools the cell's steps ran. */
  tools: Record<string, string>;
  /** Tracked input files (dracut/, modules.d/) the cell's steps read. */
  inputs: InputFile[];
  /** Every step in the cell's dependency closure, with its content key. */
  steps: { id: string; kind: string; key: string }[];
  /** Facts recorded by the steps (kernel version, Debian Release, ...), by step id. */
  facts: Record<string, Record<string, unknown>>;
  /** Exact package list of the root filesystem (from its dpkg status). */
  packages: DebPackage[];
  artifacts: FileDigest[];
  /** Digest of the OCI image manifest, for cells that produce one. */
  oci_digest: string | null;
  run: RunEnvelope;
}

export interface RunEnvelope {
  host: string;
  started_at: string;
  duration_ms: number;
  executor: string;
  builder_version: string;
  node: string;
}
