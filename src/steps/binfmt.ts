/**
 * Foreign-arch roots (arm64 on an x86 host) run through qemu-user via binfmt_misc. A fresh
 * machine has binfmt_misc unmounted: mount it and register qemu-aarch64, and say so.
 */
import { access, readFile } from 'node:fs/promises';
import { arch as hostArch } from 'node:os';
import type { Arch } from '../config/types.js';
import type { StepContext } from './types.js';
import type { StepFailure } from '../run/types.js';
import { err, ok, type Result } from '../util/result.js';

const BINFMT = '/proc/sys/fs/binfmt_misc';
const NATIVE: Record<string, Arch> = { x64: 'amd64', arm64: 'arm64' };

export function isForeign(arch: Arch): boolean {
  return NATIVE[hostArch()] !== arch;
}

async function enabled(name: string): Promise<boolean> {
  try { return (await readFile(`${BINFMT}/${name}`, 'utf8')).startsWith('enabled'); } catch { return false; }
}

export async function ensureBinfmt(ctx: StepContext, arch: Arch): Promise<Result<void, StepFailure>> {
  if (!isForeign(arch)) return ok(undefined);
  const name = arch === 'arm64' ? 'qemu-aarch64' : 'qemu-x86_64';
  if (await enabled(name)) return ok(undefined);
  try { await access(`${BINFMT}/register`); } catch {
    ctx.log(`binfmt_misc is not mounted: mounting it at ${BINFMT}`);
    const m = await ctx.exec({ argv: ['mount', '-t', 'binfmt_misc', 'binfmt_misc', BINFMT], purpose: 'mount binfmt_misc', hint: 'needs root; or run: mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc' });
    if (!m.ok) return err({ code: 'exec', failure: m.error });
  }
  ctx.log(`registering ${name} with binfmt_misc (update-binfmts --enable ${name})`);
  const r = await ctx.exec({ argv: ['update-binfmts', '--enable', name], purpose: `register ${name}`, hint: 'install qemu-user-static and binfmt-support' });
  if (!r.ok) return err({ code: 'exec', failure: r.error });
  return (await enabled(name)) ? ok(undefined) : err({ code: 'check', message: `${name} is still not enabled in ${BINFMT} after update-binfmts` });
}
