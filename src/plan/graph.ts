/**
 * Matrix -> step DAG with content-addressed keys. Pure: no I/O, same config in, same plan out.
 * Shared stages exist once per arch; every variant that needs one depends on that same step.
 */
import type { Arch, Config, InputFile, SharedStage, Variant } from '../config/types.js';
import type { Cell, Plan, PlannedStep, Selection, StepId } from './types.js';
import { selectCells } from './select.js';
import { RECIPE_VERSIONS } from './recipes.js';
import { keyOf } from '../util/hash.js';
import { ok, type Result } from '../util/result.js';

export const stepId = (name: string, arch: Arch): StepId => `${name}@${arch}` as StepId;

/** Files under dracut/ and modules.d/ that the initramfs of `arch` is built from. */
export function initramfsInputs(inputs: readonly InputFile[], arch: Arch): InputFile[] {
  const conf = new Set(['dracut/powernode.conf', `dracut/powernode-${arch}.conf`]);
  return inputs.filter((f) => conf.has(f.path) || f.path.startsWith('modules.d/'));
}

function sharedInputs(config: Config, stage: SharedStage, arch: Arch): Record<string, unknown> {
  const { pins } = config;
  switch (stage) {
    case 'rootfs': {
      const { suite, resolved_mirror, snapshot, components, mmdebstrap_variant } = pins.debian;
      const source = pins.rootfs;
      if (source.source === 'dir') {
        const prefix = `${source.path.replace(/\/$/, '')}/`;
        return { source, files: config.inputs.filter((f) => f.path.startsWith(prefix)), source_date_epoch: pins.source_date_epoch };
      }
      // A digest reference keys the cache exactly; a tag is resolved when the step runs.
      if (source.source === 'oci') return { source, arch, source_date_epoch: pins.source_date_epoch };
      return {
        source,
        debian: { suite, mirror: resolved_mirror, snapshot, components, mmdebstrap_variant },
        kernel: pins.kernel[arch],
        packages: [...pins.packages.common, ...pins.packages[arch]].sort(),
        rootfs_versions: pins.rootfs_versions,
        source_date_epoch: pins.source_date_epoch,
      };
    }
    case 'kernel':
      return { kernel: pins.kernel[arch] };
    case 'initramfs':
      return { builder: pins.initramfs, files: pins.initramfs.builder === 'dracut' ? initramfsInputs(config.inputs, arch) : [], source_date_epoch: pins.source_date_epoch };
  }
}

const SHARED_DEPS: Readonly<Record<SharedStage, readonly SharedStage[]>> = {
  rootfs: [],
  kernel: ['rootfs'],
  initramfs: ['rootfs', 'kernel'],
};

class PlanBuilder {
  readonly steps = new Map<StepId, PlannedStep>();
  constructor(private readonly config: Config) {}

  shared(stage: SharedStage, arch: Arch): PlannedStep {
    const id = stepId(stage, arch);
    const existing = this.steps.get(id);
    if (existing) return existing;
    const deps = SHARED_DEPS[stage].map((d) => this.shared(d, arch));
    return this.add({ id, kind: stage, arch, variant: null, packager: null }, deps, sharedInputs(this.config, stage, arch));
  }

  cell(variant: Variant, arch: Arch): PlannedStep {
    const id = stepId(variant.name, arch);
    const existing = this.steps.get(id);
    if (existing) return existing;
    const deps = variant.needs.map((s) => this.shared(s, arch));
    const p = variant.packager;
    if (p.type === 'qcow2') {
      const from = this.config.variants.get(p.from);
      if (!from) throw new Error(`invariant: qcow2 source "${p.from}" was validated`);
      deps.push(this.cell(from, arch));
    }
    const inputs = { boot: variant.boot, packager: p, source_date_epoch: this.config.pins.source_date_epoch };
    return this.add({ id, kind: 'package', arch, variant: variant.name, packager: p.type }, deps, inputs);
  }

  private add(head: Omit<PlannedStep, 'deps' | 'key' | 'inputs'>, deps: PlannedStep[], own: Record<string, unknown>): PlannedStep {
    const sorted = [...deps].sort((a, b) => (a.id < b.id ? -1 : 1));
    const inputs = {
      ...own,
      recipe: RECIPE_VERSIONS[head.kind],
      deps: Object.fromEntries(sorted.map((d) => [d.id, d.key])),
    };
    const step: PlannedStep = { ...head, deps: sorted.map((d) => d.id), key: keyOf({ kind: head.kind, arch: head.arch, inputs }), inputs };
    this.steps.set(step.id, step);
    return step;
  }
}

/** Orders steps so dependencies come first; ties broken by id for a stable listing. */
function topological(steps: ReadonlyMap<StepId, PlannedStep>): PlannedStep[] {
  const done = new Set<StepId>();
  const out: PlannedStep[] = [];
  const visit = (s: PlannedStep): void => {
    if (done.has(s.id)) return;
    done.add(s.id);
    for (const d of s.deps) { const dep = steps.get(d); if (dep) visit(dep); }
    out.push(s);
  };
  [...steps.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).forEach(visit);
  return out;
}

export function buildPlan(config: Config, selection: Selection): Result<Plan, string> {
  const cells = selectCells(config, selection);
  if (!cells.ok) return cells;
  const builder = new PlanBuilder(config);
  for (const c of cells.value) {
    const variant = config.variants.get(c.variant);
    if (variant) builder.cell(variant, c.arch);
  }
  return ok({ format: 1, cells: cells.value, steps: topological(builder.steps) });
}

/** The step that produces a cell's artifacts. */
export function cellStepId(cell: Cell): StepId {
  return stepId(cell.variant, cell.arch);
}

/** The public `plan --json` shape: stable field names users' scripts rely on. */
export function planToJson(plan: Plan): unknown {
  return {
    format: plan.format,
    cells: plan.cells.map(({ variant, arch }) => ({ variant, arch })),
    steps: plan.steps.map(({ id, kind, arch, variant, packager, deps, key }) => ({ id, kind, arch, variant, packager, deps, key })),
  };
}
