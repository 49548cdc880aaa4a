/** Resolves the two pins that depend on the machine: `mirror: auto` and `source_date_epoch: git`. */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HostExecutor } from '../exec/host.js';
import type { PinsFile } from './schema.js';
import type { ConfigIssue } from './types.js';
import { err, ok, type Result } from '../util/result.js';
import { PINNED_INPUT_DIRS } from './inputs.js';

const FALLBACK_MIRROR = 'http://deb.debian.org/debian';
const SNAPSHOT_BASE = 'http://snapshot.debian.org/archive/debian';

/** The first `.../debian` URI of the machine's apt sources (one-line or deb822 format). */
export async function machineMirror(dir = '/etc/apt'): Promise<string | undefined> {
  const files = [join(dir, 'sources.list')];
  try {
    files.push(...(await readdir(join(dir, 'sources.list.d'))).sort().map((f) => join(dir, 'sources.list.d', f)));
  } catch { /* no sources.list.d */ }
  for (const file of files) {
    let text: string;
    try { text = await readFile(file, 'utf8'); } catch { continue; }
    for (const m of text.matchAll(/(?:^deb\s+(?:\[[^\]]*\]\s+)?|^URIs:\s*)(\S+)/gm)) {
      const uri = m[1];
      if (uri && /\/debian\/?$/.test(uri)) return uri.replace(/\/$/, '');
    }
  }
  return undefined;
}

export async function resolveMirror(debian: PinsFile['debian'], aptDir?: string): Promise<Result<string, ConfigIssue>> {
  if (debian.snapshot) return ok(`${SNAPSHOT_BASE}/${debian.snapshot}`);
  if (debian.mirror !== 'auto') return ok(debian.mirror.replace(/\/$/, ''));
  return ok((await machineMirror(aptDir)) ?? FALLBACK_MIRROR);
}

/** SOURCE_DATE_EPOCH: the pinned number, or the last commit time of the build inputs. */
export async function resolveSourceDateEpoch(root: string, pinned: number | 'git'): Promise<Result<number, ConfigIssue>> {
  if (typeof pinned === 'number') return ok(pinned);
  const r = await new HostExecutor().run(
    { argv: ['git', 'log', '-1', '--format=%ct', '--', 'variants', 'manifests', ...PINNED_INPUT_DIRS], cwd: root, captureStdout: true },
    { signal: AbortSignal.timeout(10_000) },
  );
  // Not a git checkout, or git missing: fall through to the error below.
  const value = r.ok ? Number.parseInt(r.value.stdout.trim(), 10) : Number.NaN;
  if (Number.isFinite(value)) return ok(value);
  return err({
    file: 'manifests/pins.yaml', path: 'source_date_epoch',
    message: 'is "git" but the inputs have no git commit time here: set a number (Unix seconds)',
  });
}
