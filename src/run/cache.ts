/**
 * Content-addressed cache of step outputs: `<root>/steps/<key>/{out/,record.json}`.
 * A step writes into `<root>/tmp/<key>.<pid>.<n>/` and the whole directory is renamed into place
 * when it succeeds, so a killed run never leaves a half-written entry that looks complete.
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepKey } from '../util/hash.js';
import type { StepRecord } from './types.js';
import { stableStringify } from '../util/stable-json.js';

export interface CacheEntry {
  key: StepKey;
  /** Directory holding the step's output files. */
  dir: string;
  record: StepRecord;
}

export interface Staging {
  key: StepKey;
  root: string;
  /** Where the step writes its outputs. */
  out: string;
}

let counter = 0;

export class StepCache {
  constructor(readonly root: string) {}

  private entryDir(key: StepKey): string { return join(this.root, 'steps', key); }

  async get(key: StepKey): Promise<CacheEntry | undefined> {
    const dir = this.entryDir(key);
    try {
      const record = JSON.parse(await readFile(join(dir, 'record.json'), 'utf8')) as StepRecord;
      return (record as { format?: unknown }).format === 1 && record.key === key ? { key, dir: join(dir, 'out'), record } : undefined;
    } catch {
      return undefined;
    }
  }

  async begin(key: StepKey): Promise<Staging> {
    const root = join(this.root, 'tmp', `${key}.${process.pid}.${++counter}`);
    await rm(root, { recursive: true, force: true });
    await mkdir(join(root, 'out'), { recursive: true });
    return { key, root, out: join(root, 'out') };
  }

  async commit(staging: Staging, record: StepRecord): Promise<CacheEntry> {
    await writeFile(join(staging.root, 'record.json'), stableStringify(record, 2) + '\n');
    await mkdir(join(this.root, 'steps'), { recursive: true });
    try {
      await rename(staging.root, this.entryDir(staging.key));
    } catch (cause) {
      // Another run committed the same key first: same key, same content; keep theirs.
      const existing = await this.get(staging.key);
      await this.discard(staging);
      if (existing) return existing;
      throw cause;
    }
    return { key: staging.key, dir: join(this.entryDir(staging.key), 'out'), record };
  }

  async discard(staging: Staging): Promise<void> {
    await rm(staging.root, { recursive: true, force: true });
  }

  /** Removes staging directories left by runs that are no longer alive. */
  async cleanStale(): Promise<void> {
    let names: string[];
    try { names = await readdir(join(this.root, 'tmp')); } catch { return; }
    await Promise.all(names.map(async (name) => {
      const pid = Number(name.split('.')[1]);
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) return;
      if (pid === process.pid) return;
      await rm(join(this.root, 'tmp', name), { recursive: true, force: true });
    }));
  }

  async list(): Promise<CacheEntry[]> {
    let names: string[];
    try { names = await readdir(join(this.root, 'steps')); } catch { return []; }
    const entries = await Promise.all(names.sort().map((n) => this.get(n as StepKey)));
    return entries.filter((e): e is CacheEntry => e !== undefined);
  }

  async remove(key: StepKey): Promise<void> {
    await rm(this.entryDir(key), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}
