import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { buildPlan } from '../../src/plan/graph.js';
import type { Config } from '../../src/config/types.js';
import type { Selection } from '../../src/plan/types.js';
import { REPO_ROOT } from '../helpers.js';

async function config(): Promise<Config> {
  const c = await loadConfig(REPO_ROOT);
  if (!c.ok) throw new Error(JSON.stringify(c.error));
  return c.value;
}
const sel = (arches: string[] = [], variants: string[] = []): Selection => ({ arches, variants });

test('the whole matrix is 14 cells', async () => {
  const plan = buildPlan(await config(), sel());
  assert.ok(plan.ok);
  assert.equal(plan.value.cells.length, 14);
});

test('ARCH=amd64: one rootfs, kernel and initramfs, shared by every amd64 cell that needs them', async () => {
  const c = await config();
  const plan = buildPlan(c, sel(['amd64']));
  assert.ok(plan.ok);
  const { steps, cells } = plan.value;
  for (const kind of ['rootfs', 'kernel', 'initramfs'] as const) {
    const shared = steps.filter((s) => s.kind === kind);
    assert.equal(shared.length, 1, kind);
    assert.equal(shared[0]?.id, `${kind}@amd64`);
  }
  assert.ok(cells.every((cell) => cell.arch === 'amd64'));
  for (const cell of cells) {
    const step = steps.find((s) => s.id === `${cell.variant}@amd64`);
    const needs = c.variants.get(cell.variant)?.needs ?? [];
    for (const n of needs) assert.ok(step?.deps.includes(`${n}@amd64` as never), `${cell.variant} needs ${n}`);
  }
  // dependencies come first
  const order = steps.map((s) => s.id);
  for (const s of steps) for (const d of s.deps) assert.ok(order.indexOf(d) < order.indexOf(s.id));
});

test('keys are stable, and change only downstream of a changed input', async () => {
  const c = await config();
  const a = buildPlan(c, sel(['amd64'], ['kernel-initrd']));
  const b = buildPlan(c, sel(['amd64'], ['kernel-initrd']));
  assert.ok(a.ok && b.ok);
  assert.deepEqual(a.value, b.value);
  const touched: Config = { ...c, inputs: c.inputs.map((f) => (f.path.startsWith('modules.d/') ? { ...f, sha256: '0'.repeat(64) } : f)) };
  const t = buildPlan(touched, sel(['amd64'], ['kernel-initrd']));
  assert.ok(t.ok);
  const key = (p: ReturnType<typeof buildPlan>, id: string) => (p.ok ? p.value.steps.find((s) => s.id === id)?.key : undefined);
  assert.equal(key(t, 'rootfs@amd64'), key(a, 'rootfs@amd64'));
  assert.equal(key(t, 'kernel@amd64'), key(a, 'kernel@amd64'));
  assert.notEqual(key(t, 'initramfs@amd64'), key(a, 'initramfs@amd64'));
  assert.notEqual(key(t, 'kernel-initrd@amd64'), key(a, 'kernel-initrd@amd64'));
  const pinned: Config = { ...c, pins: { ...c.pins, kernel: { ...c.pins.kernel, amd64: { package: 'linux-image-x', version: '1' } } } };
  const p = buildPlan(pinned, sel(['amd64'], ['kernel-initrd']));
  assert.notEqual(key(p, 'rootfs@amd64'), key(a, 'rootfs@amd64'));
});

test('qcow2 pulls in the raw step it converts without making raw a cell', async () => {
  const plan = buildPlan(await config(), sel(['arm64'], ['qcow2']));
  assert.ok(plan.ok);
  assert.deepEqual(plan.value.cells, [{ variant: 'qcow2', arch: 'arm64' }]);
  assert.ok(plan.value.steps.find((s) => s.id === 'qcow2@arm64')?.deps.includes('raw@arm64' as never));
});

test('unknown ARCH or VARIANT lists the valid values; arm64-only variants refuse amd64', async () => {
  const c = await config();
  const badArch = buildPlan(c, sel(['riscv64']));
  assert.ok(!badArch.ok);
  assert.match(badArch.error, /unknown ARCH "riscv64": expected one of amd64, arm64/);
  const badVariant = buildPlan(c, sel([], ['floppy']));
  assert.ok(!badVariant.ok);
  assert.match(badVariant.error, /expected one of arm64-uefi, ipxe, iso, kernel-initrd, oci, qcow2, raw, rpi4/);
  const rpi = buildPlan(c, sel(['amd64'], ['rpi4']));
  assert.ok(!rpi.ok);
  assert.match(rpi.error, /rpi4" is built for arm64 only/);
});
