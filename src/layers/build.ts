/**
 * Builds a layer chain bottom-up. Each layer's tree is the parent's tree copied (`cp -a`:
 * hard links, devices, xattrs kept) plus this layer's changes, cached under
 * `<cache>/layers/<key>/` (staged, renamed into place), so an unchanged layer is never rebuilt
 * and a changed child reuses its parents. `scratch` with packages bootstraps with mmdebstrap
 * from the layer's first repo.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Executor } from '../exec/types.js';
import { formatExecFailure } from '../exec/format.js';
import { resolveSource } from '../sources/resolve-source.js';
import { applyLayer } from './apply.js';
import { layerKey } from './key.js';
import type { BuiltLayer, LayerFailure, ResolvedLayer } from './types.js';
import { sha256Hex } from '../util/hash.js';
import { err, ok, type Result } from '../util/result.js';

export interface BuildLayerOptions {
  cacheDir: string;
  arch: string;
  sourceDateEpoch: number;
  executor: Executor;
  signal: AbortSignal;
  log?: (line: string) => void;
}

interface ParentTree { key: string; root: string | undefined; base?: Record<string, unknown> }

async function parentTree(layer: ResolvedLayer, o: BuildLayerOptions): Promise<Result<ParentTree, LayerFailure>> {
  const p = layer.parent;
  switch (p.kind) {
    case 'scratch': return ok({ key: 'scratch', root: undefined });
    case 'oci': {
      const src = await resolveSource(p.reference, { cacheDir: o.cacheDir, arch: o.arch, executor: o.executor, signal: o.signal, log: o.log });
      if (!src.ok) return err({ code: 'parent', message: `layer ${layer.file.name}: parent ${p.reference}: ${src.error.message}`, cause: src.error });
      return ok({ key: `oci:${String(src.value.record.manifest_digest)}`, root: src.value.root, base: src.value.record });
    }
    case 'layer': {
      const built = await buildLayer(p.layer, o);
      return built.ok ? ok({ key: `layer:${built.value.key}`, root: built.value.root, ...(built.value.base ? { base: built.value.base } : {}) }) : built;
    }
    default: {
      const never: never = p;
      throw new Error(`unexpected parent ${JSON.stringify(never)}`);
    }
  }
}

async function exec(argv: string[], purpose: string, o: BuildLayerOptions, env?: Record<string, string>): Promise<Result<void, LayerFailure>> {
  const r = await o.executor.run({ argv, purpose, ...(env ? { env } : {}) }, { signal: o.signal, onLine: o.log });
  return r.ok ? ok(undefined) : err({ code: 'exec', message: formatExecFailure(r.error), cause: r.error });
}

/** The scratch bootstrap: mmdebstrap minbase from the layer's repos (keys as signed-by). Pure. */
export function scratchArgv(layer: ResolvedLayer, arch: string, target: string): string[] {
  const base = dirname(layer.path);
  const [first] = layer.file.repos;
  if (!first) throw new Error('invariant: scratch with packages needs a repo (checked by the caller)');
  const sources = layer.file.repos.map((r) => `deb [signed-by=${resolve(base, r.key)}] ${r.url} ${r.suite} ${r.components.join(' ')}`);
  return ['mmdebstrap', '--variant=minbase', `--architectures=${arch}`, `--include=${[...layer.file.packages].sort().join(',')}`,
    '--customize-hook=: > "$1/etc/machine-id"',
    // The bootstrap's sources name host key paths; the layer's repos are written as deb822 next.
    '--customize-hook=rm -f "$1/etc/apt/sources.list" "$1"/etc/apt/sources.list.d/*mmdebstrap*',
    first.suite, target, ...sources];
}

export async function buildLayer(layer: ResolvedLayer, o: BuildLayerOptions): Promise<Result<BuiltLayer, LayerFailure>> {
  const parent = await parentTree(layer, o);
  if (!parent.ok) return parent;
  const key = await layerKey(layer.file, layer.path, parent.value.key, o.sourceDateEpoch).catch((cause: unknown) => cause as Error);
  if (key instanceof Error) return err({ code: 'io', message: `layer ${layer.file.name}: ${key.message}`, cause: key });
  const fullKey = sha256Hex(`${key}:${o.arch}`);
  const root = join(o.cacheDir, 'layers', fullKey);
  const base = parent.value.base ? { base: parent.value.base } : {};
  if (await stat(root).then((s) => s.isDirectory(), () => false)) return ok({ name: layer.file.name, key: fullKey, root, cached: true, ...base });
  const staging = `${root}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(dirname(staging), { recursive: true });
  try {
    const scratchWithPackages = parent.value.root === undefined && layer.file.packages.length > 0;
    if (scratchWithPackages && layer.file.repos.length === 0) return err({ code: 'config', message: `${layer.path}: parent scratch with packages needs at least one repo to bootstrap from` });
    // mmdebstrap wants to create its target; cp and a bare scratch layer want it to exist.
    if (!scratchWithPackages) await mkdir(staging, { recursive: true, mode: 0o755 });
    const made = parent.value.root !== undefined
      ? await exec(['cp', '-a', '--reflink=auto', `${parent.value.root}/.`, `${staging}/`], `copy the parent of ${layer.file.name}`, o)
      : scratchWithPackages ? await exec(scratchArgv(layer, o.arch, staging), `bootstrap ${layer.file.name}`, o, { SOURCE_DATE_EPOCH: String(o.sourceDateEpoch) })
        : ok(undefined);
    if (!made.ok) return made;
    // mmdebstrap leaves the build host's resolver config behind: not part of an image.
    if (scratchWithPackages) await rm(join(staging, 'etc/resolv.conf'), { force: true });
    // mmdebstrap already installed the scratch layer's packages.
    const file = scratchWithPackages ? { ...layer.file, packages: [] } : layer.file;
    const applied = await applyLayer(staging, file, layer.path, { executor: o.executor, signal: o.signal, sourceDateEpoch: o.sourceDateEpoch, log: o.log });
    if (!applied.ok) return applied;
    await rename(staging, root);
    o.log?.(`layer ${layer.file.name}: built ${fullKey.slice(0, 12)}`);
    return ok({ name: layer.file.name, key: fullKey, root, cached: false, ...base });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
