/** Assembles a cell's build-manifest.json and SHA256SUMS from the cached step records. Pure. */
import type { Config } from '../config/types.js';
import type { Plan, PlannedStep, StepId } from '../plan/types.js';
import type { CacheEntry } from '../run/cache.js';
import type { FileDigest } from '../digest/file-digest.js';
import type { BuildManifest, DebPackage, RunEnvelope } from './types.js';
import { initramfsInputs } from '../plan/graph.js';
import { stableStringify } from '../util/stable-json.js';

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
}

export function buildManifest({ config, plan, step, entries, tools, run }: ManifestInput): BuildManifest {
  const variant = config.variants.get(step.variant ?? '');
  if (!variant) throw new Error(`invariant: ${step.id} is not a cell step`);
  const steps = closure(plan, step.id);
  const facts = Object.fromEntries(steps.map((s) => [s.id, entries.get(s.id)?.record.facts ?? {}] as const));
  const rootfsFacts = facts[`rootfs@${step.arch}`] as { packages?: DebPackage[] } | undefined;
  const usesInitramfs = steps.some((s) => s.kind === 'initramfs');
  const cellFacts = entries.get(step.id)?.record.facts ?? {};
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
    artifacts: entries.get(step.id)?.record.files ?? [],
    oci_digest: typeof cellFacts.oci_digest === 'string' ? cellFacts.oci_digest : null,
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
