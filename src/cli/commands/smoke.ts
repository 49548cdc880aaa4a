/**
 * `smoke`: boots built cells in QEMU and waits for `POWERNODE-INIT-OK id=...`: kernel-initrd
 * directly, disk images through their firmware (SeaBIOS and OVMF on amd64, AAVMF on arm64), the
 * rpi4 image's payload under `virt`. The argv builders live in src/smoke/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ParsedArgs } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { loadProject } from '../project.js';
import { selectCells } from '../../plan/select.js';
import { HostExecutor } from '../../exec/host.js';
import { bootToMarker } from '../../smoke/boot.js';
import type { Accel } from '../../smoke/qemu.js';
import { bootsFor, type BootKind } from '../../smoke/disk-boot.js';
import { prepareBoot } from '../../smoke/prepare.js';
import type { Cell } from '../../plan/types.js';

export async function smokeCommand(args: ParsedArgs, controller: AbortController): Promise<ExitCode> {
  const config = await loadProject(args.common.project);
  if (!config.ok) { process.stderr.write(config.error + '\n'); return EXIT.usage; }
  const cells = selectCells(config.value, args.common.selection);
  if (!cells.ok) { process.stderr.write(cells.error + '\n'); return EXIT.usage; }
  const accel = (args.values.accel ?? 'tcg') as string;
  if (accel !== 'tcg' && accel !== 'kvm') { process.stderr.write(`--accel: expected tcg or kvm, got "${accel}"\n`); return EXIT.usage; }
  const timeout = Number(args.values.timeout ?? 300);
  const identity = typeof args.values.identity === 'string' ? args.values.identity : undefined;
  const o: SmokeOptions = { out: resolve(args.common.out), accel, timeoutMs: timeout * 1000, identity, executor: new HostExecutor(), signal: controller.signal, verbose: args.common.verbose };
  let failures = 0;
  for (const cell of cells.value) {
    const packager = config.value.variants.get(cell.variant)?.packager.type ?? '';
    for (const kind of bootsFor(packager, cell.arch)) {
      if (!(await smokeBoot(cell, packager, kind, o))) failures += 1;
    }
  }
  return failures === 0 ? EXIT.ok : EXIT.stepFailed;
}

interface SmokeOptions { out: string; accel: Accel; timeoutMs: number; identity: string | undefined; executor: HostExecutor; signal: AbortSignal; verbose: boolean }

async function smokeBoot(cell: Cell, packager: string, kind: BootKind, o: SmokeOptions): Promise<boolean> {
  // Direct boots keep their historical label; other boots name their firmware.
  const name = kind === 'direct' ? `${cell.variant}/${cell.arch}` : `${cell.variant}/${cell.arch} ${kind}`;
  const scratch = await mkdtemp(join(tmpdir(), 'pnib-smoke-'));
  try {
    const dir = join(o.out, cell.variant, cell.arch);
    const boot = await prepareBoot(kind, { dir, packager, arch: cell.arch, accel: o.accel, identity: o.identity, scratch, executor: o.executor, signal: o.signal });
    if (!boot.ok) { process.stderr.write(`smoke ${name}: ${boot.error}\n`); return false; }
    process.stderr.write(`smoke ${name}: booting (${o.accel})...\n`);
    const onLine = o.verbose ? (l: string): void => { process.stderr.write(`  | ${l}\n`); } : undefined;
    const r = await bootToMarker(o.executor, boot.value.argv, { signal: o.signal, timeoutMs: o.timeoutMs, onLine, until: boot.value.until, fail: boot.value.fail });
    if (!r.ok) { process.stderr.write(`smoke ${name}: FAILED: ${r.error}\n`); return false; }
    process.stdout.write(`smoke ${name}: ${r.value.marker} (${r.value.seconds.toFixed(1)} s)\n`);
    if (r.value.confirmed) process.stdout.write(`smoke ${name}: then: ${r.value.confirmed}\n`);
    if (o.identity && r.value.identity !== o.identity) { process.stderr.write(`smoke ${name}: expected id=${o.identity}, got id=${r.value.identity}\n`); return false; }
    return true;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
