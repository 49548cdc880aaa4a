/** Assembles a cell's build-manifest.json and SHA256SUMS from the cached step records. Pure. */
import type { Config } from '../config/types.js';
import type { Plan, PlannedStep, StepId } from '../plan/types.js';
import type { CacheEntry } from '../run/cache.js';
import type { FileDigest } from '../digest/file-digest.js';
import type { BuildManifest, DebPackage, RunEnvelope, ToolboxRef } from './types.js';
import { initramfsInputs } from '../plan/graph.js';
import { stableStringify } from '../util/stable-json.js';
import { SBOM_FILE } from '../sbom/spdx.js';
import { PROVENANCE_FILE } from './provenance.js';

/** A file that goes into a cell's output directory: where it is cached, and its digest. */
export interface CellFile { src: string; digest: FileDigest }

/** The cell step's outputs plus the SBOM of the root filesystem it was built from. */
export function cellFiles(step: PlannedStep, entries: ReadonlyMap<StepId, CacheEntry>): CellFile[] {
  const own = entries.get(step.id);
  const rootfs = entries.get(`rootfs@${step.arch}` as StepId);
  const sbom = rootfs?.record.files.find((f) => f.path === SBOM_FILE);
  const files = (own?.record.files ?? []).map((digest) => ({ src: `${own?.dir ?? ''}/${digest.path}`, digest }));
  if (sbom && rootfs && !files.some((f) => f.digest.path === SBOM_FILE)) files.push({ src: `${rootfs.dir}/${SBOM_FILE}`, digest: sbom });
  return files.sort((a, b) => (a.digest.path < b.digest.path ? -1 : 1));
}

/** The step and everything it depends on, dependencies first. */
export function closure(plan: Plan, id: StepId): PlannedStep[] {
  const byId = new Map(plan.steps.map((s) => [s.id, s] as const));
  const seen = new Set<StepId>();
  const visit = (sid: StepId): void => {
    if (seen.has(sid)) return;
    seen.add(sid);
    byId.get(sid)?.deps.forEach(visit);
  };
  visit(id);
  return plan.steps.filter((s) => seen.has(s.id));
}

export interface ManifestInput {
  config: Config;
  plan: Plan;
  step: PlannedStep;
  entries: ReadonlyMap<StepId, CacheEntry>;
  tools: Record<string, string>;
  run: RunEnvelope;
  /** The toolbox the steps ran in (`--executor toolbox|podman`); null or absent on the host. */
  toolbox?: ToolboxRef | null;
}

export function buildManifest({ config, plan, step, entries, tools, run, toolbox }: ManifestInput): BuildManifest {
  const variant = config.variants.get(step.variant ?? '');
  if (!variant) throw new Error(`invariant: ${step.id} is not a cell step`);
  const steps = closure(plan, step.id);
  const facts = Object.fromEntries(steps.map((s) => [s.id, entries.get(s.id)?.record.facts ?? {}] as const));
  const rootfsFacts = facts[`rootfs@${step.arch}`] as { packages?: DebPackage[] } | undefined;
  const usesInitramfs = steps.some((s) => s.kind === 'initramfs');
  const cellFacts = entries.get(step.id)?.record.facts ?? {};
  const artifacts = cellFiles(step, entries).map((f) => f.digest);
  const { debian, kernel, packages, rootfs_versions, tools: pinnedTools, source_date_epoch } = config.pins;
  return {
    format: 1,
    variant: variant.name,
    arch: step.arch,
    boot: variant.boot,
    packager: variant.packager,
    source_date_epoch,
    pins: {
      debian: { suite: debian.suite, mirror: debian.resolved_mirror, snapshot: debian.snapshot, components: debian.components, mmdebstrap_variant: debian.mmdebstrap_variant },
      kernel: kernel[step.arch] ?? null,
      packages: [...packages.common, ...packages[step.arch]],
      rootfs_versions,
      tools: pinnedTools,
    },
    tools,
    inputs: usesInitramfs ? initramfsInputs(config.inputs, step.arch) : [],
    steps: steps.map((s) => ({ id: s.id, kind: s.kind, key: s.key })),
    facts,
    packages: rootfsFacts?.packages ?? [],
    artifacts,
    oci_digest: typeof cellFacts.oci_digest === 'string' ? cellFacts.oci_digest : null,
    sbom: artifacts.some((a) => a.path === SBOM_FILE) ? SBOM_FILE : null,
    provenance: PROVENANCE_FILE,
    ...(toolbox ? { toolbox } : {}),
    run,
  };
}

export function serializeManifest(m: BuildManifest): string {
  return stableStringify(m, 2) + '\n';
}

/** `sha256sum -c` format: "<hex>  <path>" per line, text mode, paths relative to the cell dir. */
export function sha256sums(files: readonly FileDigest[]): string {
  return files.map((f) => `${f.sha256}  ${f.path}\n`).join('');
}
