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
  /** The SPDX 2.3 SBOM of the cell's root filesystem (also listed in `artifacts`), or null. */
  sbom: string | null;
  /** The SLSA v1 provenance (in-toto Statement) written beside the artifacts. */
  provenance: string;
  /**
   * The toolbox the steps ran in, absent for host builds. An input, like `tools`: the digest
   * names every tool binary that touched the artifacts, so it belongs to the reproducible core
   * (two builds in the same toolbox have the same core). Which executor ran it is per-run
   * (`run.executor`); host and toolbox builds are compared on their artifacts.
   */
  toolbox?: ToolboxRef;
  run: RunEnvelope;
}

/** A pinned toolbox: sha256 of its reproducible tar, and the key of manifests/toolbox.yaml. */
export interface ToolboxRef {
  digest: string;
  key: string;
}

export interface RunEnvelope {
  host: string;
  started_at: string;
  duration_ms: number;
  executor: string;
  builder_version: string;
  node: string;
}
