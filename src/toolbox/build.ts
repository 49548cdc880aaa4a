/**
 * Builds the pinned toolbox once per key: mmdebstrap (on the host: the toolbox cannot build
 * itself) writes a reproducible tar, whose sha256 is the toolbox digest; the tar is unpacked
 * beside it for bubblewrap and kept for `podman import`. Staged, then renamed into place.
 * Layout: `<cache>/toolbox/<key>/{toolbox.tar, root/, record.json}`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecFailure, Executor } from '../exec/types.js';
import type { ToolboxPins } from './config.js';
import type { DebPackage } from '../manifest/types.js';
import { checkVersions, parseDpkgStatus } from '../steps/dpkg-status.js';
import { stableStringify } from '../util/stable-json.js';
import { err, ok, type Result } from '../util/result.js';

/** A built toolbox, as executors and manifests see it. */
export interface Toolbox {
  /** sha256 of the toolbox tar (`sha256:<hex>`): what the manifest records. */
  digest: string;
  /** The pins key (manifests/toolbox.yaml) it was built from. */
  key: string;
  /** Unpacked tree, used as / by the sandbox executor. */
  root: string;
  /** The reproducible tar, imported by the podman executor. */
  tar: string;
  /** Every installed package, pinned or pulled in. */
  packages: DebPackage[];
}

export type ToolboxFailure =
  | { code: 'toolbox-exec'; failure: ExecFailure }
  | { code: 'toolbox-pins'; message: string };

interface ToolboxRecord { format: 1; key: string; digest: string; packages: DebPackage[] }

/** The mmdebstrap argv for the toolbox. Pure. */
export function toolboxArgv(pins: ToolboxPins, tar: string): string[] {
  const include = Object.entries(pins.packages).sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, v]) => `${n}=${v}`);
  return [
    'mmdebstrap', '--variant=minbase', `--architectures=${pins.architecture}`, `--components=${pins.components.join(',')}`,
    `--include=${include.join(',')}`, '--aptopt=Acquire::Retries "3"',
    '--dpkgopt=path-exclude=/usr/share/doc/*', '--dpkgopt=path-exclude=/usr/share/man/*', '--dpkgopt=path-exclude=/usr/share/locale/*',
    // Mount points the sandbox binds over (resolv.conf for the mirror; mmdebstrap leaves none).
    '--customize-hook=rm -f "$1/etc/resolv.conf" "$1/etc/hostname"; : > "$1/etc/resolv.conf"; : > "$1/etc/machine-id"',
    pins.suite, tar, pins.resolved_mirror,
  ];
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function readRecord(dir: string, key: string): Promise<ToolboxRecord | undefined> {
  try {
    const r = JSON.parse(await readFile(join(dir, 'record.json'), 'utf8')) as ToolboxRecord | { format?: unknown; key?: unknown };
    return r.format === 1 && r.key === key ? r as ToolboxRecord : undefined;
  } catch { return undefined; }
}

const asToolbox = (dir: string, r: ToolboxRecord): Toolbox =>
  ({ digest: r.digest, key: r.key, root: join(dir, 'root'), tar: join(dir, 'toolbox.tar'), packages: r.packages });

export interface EnsureOptions { cacheRoot: string; pins: ToolboxPins; host: Executor; signal: AbortSignal; log: (line: string) => void }

/** The cached toolbox for these pins, built first when missing. */
export async function ensureToolbox(o: EnsureOptions): Promise<Result<Toolbox, ToolboxFailure>> {
  const dir = join(o.cacheRoot, 'toolbox', o.pins.key);
  const cached = await readRecord(dir, o.pins.key);
  if (cached) return ok(asToolbox(dir, cached));
  const staging = join(o.cacheRoot, 'toolbox', `.tmp-${o.pins.key}-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'root'), { recursive: true });
  try {
    const built = await buildInto(o, staging);
    if (!built.ok) return built;
    await writeFile(join(staging, 'record.json'), stableStringify(built.value, 2) + '\n');
    try { await rename(staging, dir); } catch (cause) {
      // Another run built the same pins first: same pins, same tar; keep theirs.
      const theirs = await readRecord(dir, o.pins.key);
      if (!theirs) throw cause;
      return ok(asToolbox(dir, theirs));
    }
    return ok(asToolbox(dir, built.value));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function buildInto(o: EnsureOptions, staging: string): Promise<Result<ToolboxRecord, ToolboxFailure>> {
  const tar = join(staging, 'toolbox.tar');
  o.log(`building the toolbox ${o.pins.key.slice(0, 12)} (${o.pins.suite}, ${Object.keys(o.pins.packages).length} pinned packages) with mmdebstrap on the host`);
  const env = { SOURCE_DATE_EPOCH: String(o.pins.source_date_epoch), LC_ALL: 'C.UTF-8', TZ: 'UTC' };
  const onLine = (line: string): void => { o.log(line); };
  const made = await o.host.run({ argv: toolboxArgv(o.pins, tar), env, purpose: 'build the toolbox', hint: `check ${o.pins.resolved_mirror} still carries the versions in manifests/toolbox.yaml` }, { signal: o.signal, onLine });
  if (!made.ok) return err({ code: 'toolbox-exec', failure: made.error });
  const x = await o.host.run({ argv: ['tar', '-xf', tar, '-C', join(staging, 'root'), '--numeric-owner', '--same-owner', '--same-permissions', '--xattrs', '--xattrs-include=*'], purpose: 'unpack the toolbox' }, { signal: o.signal, onLine });
  if (!x.ok) return err({ code: 'toolbox-exec', failure: x.error });
  const packages = parseDpkgStatus(await readFile(join(staging, 'root/var/lib/dpkg/status'), 'utf8'));
  const problems = checkVersions(packages, o.pins.packages);
  if (problems.length > 0) return err({ code: 'toolbox-pins', message: `toolbox: ${problems.join('; ')}` });
  return ok({ format: 1, key: o.pins.key, digest: `sha256:${await sha256File(tar)}`, packages });
}
