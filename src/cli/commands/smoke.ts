/** `smoke`: boots built cells in QEMU and waits for `POWERNODE-INIT-OK id=...`. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ParsedArgs } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { loadProject } from '../project.js';
import { selectCells } from '../../plan/select.js';
import { HostExecutor } from '../../exec/host.js';
import { bootToMarker } from '../../smoke/boot.js';
import { directBootArgv, type Accel } from '../../smoke/qemu.js';
import { KERNEL_FILE } from '../../steps/kernel.js';
import { INITRD_FILE } from '../../steps/initramfs.js';
import { CMDLINE_FILE } from '../../steps/package-kernel-initrd.js';
import type { Cell } from '../../plan/types.js';

const BOOTABLE = new Set(['kernel-initrd']);

export async function smokeCommand(args: ParsedArgs, controller: AbortController): Promise<ExitCode> {
  const config = await loadProject(args.common.project);
  if (!config.ok) { process.stderr.write(config.error + '\n'); return EXIT.usage; }
  const cells = selectCells(config.value, args.common.selection);
  if (!cells.ok) { process.stderr.write(cells.error + '\n'); return EXIT.usage; }
  const accel = (args.values.accel ?? 'tcg') as string;
  if (accel !== 'tcg' && accel !== 'kvm') { process.stderr.write(`--accel: expected tcg or kvm, got "${accel}"\n`); return EXIT.usage; }
  const timeout = Number(args.values.timeout ?? 300);
  const identity = typeof args.values.identity === 'string' ? args.values.identity : undefined;
  const executor = new HostExecutor();
  let failures = 0;
  for (const cell of cells.value.filter((c) => BOOTABLE.has(config.value.variants.get(c.variant)?.packager.type ?? ''))) {
    const ok = await smokeCell(cell, { out: resolve(args.common.out), accel, timeoutMs: timeout * 1000, identity, executor, signal: controller.signal, verbose: args.common.verbose });
    if (!ok) failures += 1;
  }
  return failures === 0 ? EXIT.ok : EXIT.stepFailed;
}

interface SmokeOptions { out: string; accel: Accel; timeoutMs: number; identity: string | undefined; executor: HostExecutor; signal: AbortSignal; verbose: boolean }

async function smokeCell(cell: Cell, o: SmokeOptions): Promise<boolean> {
  const dir = join(o.out, cell.variant, cell.arch);
  const name = `${cell.variant}/${cell.arch}`;
  if (!existsSync(join(dir, KERNEL_FILE))) { process.stderr.write(`smoke ${name}: not built (no ${dir}/${KERNEL_FILE}): run build first\n`); return false; }
  // rd.powernode.stop: the guest powers itself off right after the marker.
  const cmdline = `${(await readFile(join(dir, CMDLINE_FILE), 'utf8')).trim()} rd.powernode.stop=1`;
  const argv = directBootArgv({ arch: cell.arch, kernel: join(dir, KERNEL_FILE), initrd: join(dir, INITRD_FILE), cmdline, accel: o.accel, identity: o.identity });
  process.stderr.write(`smoke ${name}: booting (${o.accel})...\n`);
  const r = await bootToMarker(o.executor, argv, { signal: o.signal, timeoutMs: o.timeoutMs, onLine: o.verbose ? (l) => { process.stderr.write(`  | ${l}\n`); } : undefined });
  if (!r.ok) { process.stderr.write(`smoke ${name}: FAILED: ${r.error}\n`); return false; }
  process.stdout.write(`smoke ${name}: ${r.value.marker} (${r.value.seconds.toFixed(1)} s)\n`);
  if (o.identity && r.value.identity !== o.identity) { process.stderr.write(`smoke ${name}: expected id=${o.identity}, got id=${r.value.identity}\n`); return false; }
  return true;
}
