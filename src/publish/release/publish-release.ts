/**
 * Uploads a cell's files as assets of the release for a tag (created if missing). Asset names
 * are flat: `<variant>-<arch>-<file>`. An asset already there with the same bytes is kept; one
 * with other bytes is replaced (delete, upload).
 */
import { join } from 'node:path';
import { uploadedFiles, type Cell } from '../cells.js';
import { PublishError } from '../errors.js';
import { sha256OfFile, sha256OfStream } from '../hash-file.js';
import { withRetry, type OnRetry, type RetryPolicy } from '../retry.js';
import type { ReleaseConfig } from '../types.js';
import { ReleaseApi, type Asset, type Release } from './release-api.js';

export interface ReleaseCellResult { locations: Map<string, string[]>; uploaded: number; existing: number }

export const assetName = (cell: Cell, rel: string): string => `${cell.variant}-${cell.arch}-${rel.replace(/\//g, '-')}`;

async function sameContent(api: ReleaseApi, asset: Asset, sha256: string, size: number): Promise<boolean> {
  if (asset.size !== size) return false;
  if (asset.digest) return asset.digest === `sha256:${sha256}`;
  return (await sha256OfStream(await api.download(asset))).sha256 === sha256;
}

async function getOrCreate(api: ReleaseApi, tag: string): Promise<Release> {
  return (await api.releaseByTag(tag)) ?? api.createRelease(tag);
}

export async function publishCellToRelease(
  cell: Cell, config: ReleaseConfig, o: { policy: RetryPolicy; signal?: AbortSignal; onRetry?: OnRetry },
): Promise<ReleaseCellResult> {
  const api = new ReleaseApi(config.url, config.token, o.signal);
  const retry = <T>(fn: () => Promise<T>): Promise<T> => withRetry(fn, { ...o, toError: (e) => (e instanceof PublishError ? e : new PublishError('network', String(e), { cause: e, retryable: true })) });
  const release = await retry(() => getOrCreate(api, config.tag));
  const result: ReleaseCellResult = { locations: new Map(), uploaded: 0, existing: 0 };
  for (const rel of uploadedFiles(cell)) {
    const file = join(cell.dir, rel);
    const name = assetName(cell, rel);
    const { sha256, size } = cell.manifest.artifacts.find((a) => a.path === rel) ?? await sha256OfFile(file, o.signal);
    const url = await retry(async () => {
      const current = (await api.assets(release)).find((a) => a.name === name);
      if (current && await sameContent(api, current, sha256, size)) { result.existing++; return current.downloadUrl; }
      if (current) await api.deleteAsset(release, current);
      const uploaded = await api.upload(release, name, file, size);
      if (uploaded.size !== size) throw new PublishError('integrity', `release asset ${name}: server holds ${uploaded.size} bytes, sent ${size}`, { retryable: true });
      result.uploaded++;
      return uploaded.downloadUrl;
    });
    result.locations.set(rel, [url]);
  }
  return result;
}
