/** Publishes a cell's files (and its OpenCHAMI boot files) to S3; returns where each went. */
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { uploadedFiles, type Cell } from '../cells.js';
import { sha256OfFile } from '../hash-file.js';
import type { OnRetry, RetryPolicy } from '../retry.js';
import { objectKey, openchamiKey, s3Url, type S3Location } from './location.js';
import { putObject, type UploadStatus } from './upload.js';

export interface S3CellResult {
  /** Relative path -> s3:// URLs. */
  locations: Map<string, string[]>;
  /** Objects written by this run (0 on an idempotent re-publish). */
  uploaded: number;
  existing: number;
}

export interface S3Publish {
  client: S3Client;
  location: S3Location;
  policy: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: OnRetry;
  onObject?: (key: string, status: UploadStatus) => void;
}

export async function publishCellToS3(cell: Cell, p: S3Publish): Promise<S3CellResult> {
  const result: S3CellResult = { locations: new Map(), uploaded: 0, existing: 0 };
  for (const rel of uploadedFiles(cell)) {
    const file = join(cell.dir, rel);
    const known = cell.manifest.artifacts.find((a) => a.path === rel);
    const { sha256, size } = known ?? await sha256OfFile(file, p.signal);
    const keys = [objectKey(p.location, cell.variant, cell.arch, rel), openchamiKey(p.location, cell, rel)].filter((k): k is string => k !== undefined);
    for (const key of keys) {
      const status = await putObject(p.client, { bucket: p.location.bucket, key, file, sha256, size }, { policy: p.policy, signal: p.signal, onRetry: p.onRetry });
      if (status === 'uploaded') result.uploaded++; else result.existing++;
      p.onObject?.(key, status);
    }
    result.locations.set(rel, keys.map((k) => s3Url(p.location, k)));
  }
  return result;
}
