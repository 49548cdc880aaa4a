/** Picks the implementation of each planned step: the one place that maps kinds to code. */
import type { Config } from '../config/types.js';
import type { PackagerType } from '../config/schema.js';
import type { Plan, PlannedStep } from '../plan/types.js';
import type { ToolSpec } from '../exec/tools.js';
import type { StepImpl } from './types.js';
import { rootfsStep } from './rootfs.js';
import { kernelStep } from './kernel.js';
import { initramfsStep } from './initramfs.js';
import { kernelInitrdPackager } from './package-kernel-initrd.js';
import { rawPackager } from './package-raw.js';
import { qcow2Packager } from './package-qcow2.js';
import { rpi4Packager } from './package-rpi4.js';
import { arm64UefiPackager } from './package-arm64-uefi.js';
import { isoPackager } from './package-iso.js';
import { ipxePackager } from './package-ipxe.js';
import { ociPackager } from './package-oci.js';
import { assertNever } from '../util/result.js';

const PACKAGERS: Partial<Record<PackagerType, StepImpl>> = {
  'kernel-initrd': kernelInitrdPackager,
  raw: rawPackager,
  qcow2: qcow2Packager,
  rpi4: rpi4Packager,
  'arm64-uefi': arm64UefiPackager,
  iso: isoPackager,
  ipxe: ipxePackager,
  oci: ociPackager,
};

export function stepRegistry(step: PlannedStep): StepImpl {
  switch (step.kind) {
    case 'rootfs': return rootfsStep;
    case 'kernel': return kernelStep;
    case 'initramfs': return initramfsStep;
    case 'package': {
      const impl = step.packager ? PACKAGERS[step.packager] : undefined;
      if (!impl) throw new Error(`invariant: no packager for ${step.id} (unsupportedCells checks this)`);
      return impl;
    }
    default: return assertNever(step.kind, 'step kind');
  }
}

/** Cells whose packager this version cannot build yet, as messages (checked before anything runs). */
export function unsupportedCells(plan: Plan): string[] {
  const missing = plan.steps.filter((s) => s.kind === 'package' && !(s.packager && PACKAGERS[s.packager]));
  if (missing.length === 0) return [];
  const have = Object.keys(PACKAGERS).join(', ');
  return [`not implemented in this version: ${missing.map((s) => s.id).join(', ')} (packagers available: ${have}); select with VARIANT=...`];
}

/** Every tool the plan needs, with the steps that need it. */
export function toolsFor(plan: Plan, config: Config): Map<ToolSpec, string[]> {
  const needs = new Map<ToolSpec, string[]>();
  for (const step of plan.steps) {
    if (step.kind === 'package' && !(step.packager && PACKAGERS[step.packager])) continue;
    for (const tool of stepRegistry(step).tools(step, config)) needs.set(tool, [...(needs.get(tool) ?? []), step.id]);
  }
  return needs;
}
