/**
 * `build publish`, as a recipe: find the built cells -> sign every file -> push the OCI layout ->
 * upload to S3 -> upload release assets -> and only when all of that succeeded, one webhook per
 * cell. Every destination checks what the remote already holds, so re-running is cheap and an
 * interrupted publish resumes.
 */
import { join } from 'node:path';
import { err, ok, type Result } from '../util/result.js';
import { findCells, MANIFEST_FILE, type Cell } from './cells.js';
import { PublishError } from './errors.js';
import { sha256OfFile } from './hash-file.js';
import type { OnRetry } from './retry.js';
import { createSigner } from './sign/factory.js';
import { signCell } from './sign/sign-cell.js';
import type { ArtifactSigner } from './sign/types.js';
import { writeOciIndex } from '../steps/oci/merge-layouts.js';
import { pushOciLayout, type OciPushResult } from './oci/push-layout.js';
import { publishCellToRelease } from './release/publish-release.js';
import { buildPayload } from './webhook/payload.js';
import { notifyCell, type NotifyOutcome } from './webhook/notify.js';
import type { Logger, PublishConfig } from './types.js';

export interface CellReport {
  variant: string;
  arch: string;
  signed: number;
  /** Objects/assets written by this run, per destination. */
  uploaded: { s3: number; release: number };
  webhook: NotifyOutcome | undefined;
}

export interface PublishReport { cells: CellReport[]; oci: OciPushResult | undefined }

export interface PublishDeps { log: Logger; signal: AbortSignal }

async function signAll(config: PublishConfig, cells: readonly Cell[], deps: PublishDeps): Promise<{ counts: Map<Cell, number>; signer: ArtifactSigner | undefined }> {
  const counts = new Map<Cell, number>();
  if (!config.sign) return { counts, signer: undefined };
  const signer = await createSigner(config.sign, deps.signal);
  for (const cell of cells) {
    const outcomes = await signCell(cell, signer, { signal: deps.signal });
    const signed = outcomes.filter((o) => o.status === 'signed').length;
    counts.set(cell, signed);
    deps.log(`[${cell.variant}/${cell.arch}] signed ${signed}, kept ${outcomes.length - signed} bundle(s)`);
  }
  return { counts, signer };
}

/** Uploads one cell everywhere configured; returns where each file went. */
async function uploadCell(config: PublishConfig, cell: Cell, deps: PublishDeps, onRetry: OnRetry): Promise<{ locations: Map<string, string[]>; s3: number; release: number }> {
  const locations = new Map<string, string[]>();
  const add = (more: ReadonlyMap<string, readonly string[]>): void => {
    for (const [rel, urls] of more) locations.set(rel, [...(locations.get(rel) ?? []), ...urls]);
  };
  let s3 = 0;
  let release = 0;
  if (config.s3) {
    // The AWS SDK takes ~0.5 s to load: only when S3 is a destination.
    const { createS3Client } = await import('./s3/client.js');
    const { publishCellToS3 } = await import('./s3/publish-s3.js');
    const client = createS3Client({ endpoint: config.s3.endpoint });
    try {
      const r = await publishCellToS3(cell, { client, location: config.s3.location, policy: config.retry, signal: deps.signal, onRetry });
      add(r.locations);
      s3 = r.uploaded;
      deps.log(`[${cell.variant}/${cell.arch}] s3: ${r.uploaded} uploaded, ${r.existing} already there`);
    } finally {
      client.destroy();
    }
  }
  if (config.release) {
    const r = await publishCellToRelease(cell, config.release, { policy: config.retry, signal: deps.signal, onRetry });
    add(r.locations);
    release = r.uploaded;
    deps.log(`[${cell.variant}/${cell.arch}] release ${config.release.tag}: ${r.uploaded} uploaded, ${r.existing} already there`);
  }
  return { locations, s3, release };
}

async function run(config: PublishConfig, deps: PublishDeps): Promise<PublishReport> {
  const cells = await findCells(config.outRoot, config.selection);
  if (cells.length === 0) throw new PublishError('config', `no built cells under ${config.outRoot} for this selection; run build first`);
  const onRetry: OnRetry = ({ attempt, error, delayMs }) => { deps.log(`retry after attempt ${attempt} (${error.message}) in ${delayMs} ms`); };
  if (config.registry?.derived) {
    const index = await writeOciIndex(config.registry.layout);
    if (!index) throw new PublishError('config', `--registry: no oci cells under ${config.registry.layout} (build the oci variant, or name a layout with --oci-layout)`);
    deps.log(`oci: ${config.registry.layout} ${index.manifests.map((m) => m.arch).join(' + ')} -> ${index.digest}`);
  }
  const { counts: signed, signer } = await signAll(config, cells, deps);
  const oci = config.registry ? await pushOciLayout(config.registry, { policy: config.retry, signal: deps.signal, onRetry, log: deps.log, signer }) : undefined;
  const uploads = new Map<Cell, Awaited<ReturnType<typeof uploadCell>>>();
  for (const cell of cells) uploads.set(cell, await uploadCell(config, cell, deps, onRetry));
  // Webhooks last: a receiver acting on one must find everything in place.
  const reports: CellReport[] = [];
  for (const cell of cells) {
    const up = uploads.get(cell) ?? { locations: new Map<string, string[]>(), s3: 0, release: 0 };
    let webhook: NotifyOutcome | undefined;
    if (config.webhook) {
      const manifestSha256 = (await sha256OfFile(join(cell.dir, MANIFEST_FILE))).sha256;
      const payload = buildPayload({ cell, manifestSha256, locations: up.locations, oci: oci && { digest: oci.digest, reference: oci.reference } });
      webhook = await notifyCell(cell, payload, { outRoot: config.outRoot, url: config.webhook.url, secret: config.webhook.secret, policy: config.retry, signal: deps.signal, onRetry });
      deps.log(`[${cell.variant}/${cell.arch}] webhook: ${webhook.status === 'delivered' ? `delivered (${webhook.receipt.deliveryId}, ${webhook.receipt.attempts} attempt(s))` : 'already delivered'}`);
    }
    reports.push({ variant: cell.variant, arch: cell.arch, signed: signed.get(cell) ?? 0, uploaded: { s3: up.s3, release: up.release }, webhook });
  }
  return { cells: reports, oci };
}

/** Publishes; expected failures come back as a PublishError value. */
export async function publishOutput(config: PublishConfig, deps: PublishDeps): Promise<Result<PublishReport, PublishError>> {
  try {
    return ok(await run(config, deps));
  } catch (cause) {
    if (cause instanceof PublishError) return err(cause);
    if (deps.signal.aborted) return err(new PublishError('aborted', 'publish cancelled', { cause }));
    throw cause;
  }
}
