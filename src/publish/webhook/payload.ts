/**
 * The `disk_image_built` webhook body, format 1. Built from the cell's manifest and where each
 * file was published; serialized as stable JSON so the same publish always sends the same bytes.
 */
import { BUNDLE_SUFFIX, MANIFEST_FILE, type Cell } from '../cells.js';
import { sha256Hex } from '../../util/hash.js';
import { stableStringify } from '../../util/stable-json.js';

export interface WebhookArtifact {
  path: string;
  size: number;
  sha256: string;
  fsverity_root_hash: string;
  /** Where the file can be fetched (S3, release asset), in destination order. */
  urls: string[];
  /** Where its `.sigstore.json` bundle can be fetched. */
  bundle_urls: string[];
}

export interface WebhookPayload {
  format: 1;
  event: 'disk_image_built';
  /** sha256 of the reproducible manifest core (everything but `run`): same inputs, same id. */
  build_id: string;
  variant: string;
  arch: string;
  builder_version: string;
  source_date_epoch: number;
  artifacts: WebhookArtifact[];
  manifest: { sha256: string; urls: string[]; bundle_urls: string[] };
  /** Digest of the pushed OCI index/manifest, when there is one. */
  oci_digest: string | null;
  /** `registry/repo@digest`, when pushed. */
  oci_reference: string | null;
}

/** The build id: the manifest without its per-run envelope, hashed. */
export function buildId(cell: Cell): string {
  return sha256Hex(stableStringify({ ...cell.manifest, run: undefined }));
}

export interface PayloadInput {
  cell: Cell;
  /** sha256 of build-manifest.json as published. */
  manifestSha256: string;
  /** Relative path in the cell -> URLs it was published at. */
  locations: ReadonlyMap<string, readonly string[]>;
  oci: { digest: string; reference: string } | undefined;
}

export function buildPayload({ cell, manifestSha256, locations, oci }: PayloadInput): WebhookPayload {
  const urls = (rel: string): string[] => [...(locations.get(rel) ?? [])];
  return {
    format: 1,
    event: 'disk_image_built',
    build_id: buildId(cell),
    variant: cell.variant,
    arch: cell.arch,
    builder_version: cell.manifest.run.builder_version,
    source_date_epoch: cell.manifest.source_date_epoch,
    artifacts: cell.manifest.artifacts.map((a) => ({
      path: a.path, size: a.size, sha256: a.sha256, fsverity_root_hash: a.fsverity_root_hash,
      urls: urls(a.path), bundle_urls: urls(a.path + BUNDLE_SUFFIX),
    })),
    manifest: { sha256: manifestSha256, urls: urls(MANIFEST_FILE), bundle_urls: urls(MANIFEST_FILE + BUNDLE_SUFFIX) },
    oci_digest: oci?.digest ?? cell.manifest.oci_digest,
    oci_reference: oci?.reference ?? null,
  };
}

export function serializePayload(p: WebhookPayload): string {
  return stableStringify(p);
}
