/**
 * Turns a built cell and a boot kind into the QEMU argv that boots it: finds the artifact in the
 * cell's output directory and, for rpi4, takes the payload out of the image first.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Arch } from '../config/types.js';
import type { Executor } from '../exec/types.js';
import type { Accel } from './qemu.js';
import { directBootArgv } from './qemu.js';
import { ROOT_MOUNTED, diskBootArgv, rpi4PayloadArgv, type BootKind } from './disk-boot.js';
import { extractRpi4Payload } from './rpi4-payload.js';
import { KERNEL_FILE } from '../steps/kernel.js';
import { INITRD_FILE } from '../steps/initramfs.js';
import { CMDLINE_FILE } from '../steps/package-kernel-initrd.js';
import { RAW_FILE } from '../steps/package-raw.js';
import { QCOW2_FILE } from '../steps/package-qcow2.js';
import { RPI4_FILE } from '../steps/package-rpi4.js';
import { ISO_FILE } from '../steps/package-iso.js';
import { cdBootArgv } from './iso-boot.js';
import { netbootArgv, prepareTftp, STAGE2 } from './netboot.js';
import { MANIFEST_FILE } from '../run/materialize.js';
import { assertNever, err, ok, type Result } from '../util/result.js';

export interface BootTarget {
  /** The cell's output directory, `<out>/<variant>/<arch>`. */
  dir: string;
  packager: string;
  arch: Arch;
  accel: Accel;
  identity: string | undefined;
  /** Scratch space for files taken out of images (rpi4). */
  scratch: string;
  executor: Executor;
  signal: AbortSignal;
}

/** The disk image a cell boots from, by packager. */
function diskOf(t: BootTarget): { file: string; format: 'raw' | 'qcow2' } {
  if (t.packager === 'qcow2') return { file: join(t.dir, QCOW2_FILE), format: 'qcow2' };
  if (t.packager === 'rpi4') return { file: join(t.dir, RPI4_FILE), format: 'raw' };
  if (t.packager === 'iso') return { file: join(t.dir, ISO_FILE), format: 'raw' };
  return { file: join(t.dir, RAW_FILE), format: 'raw' };
}

const missing = (path: string): Result<never, string> => err(`not built (no ${path}): run build first`);

/** 90powernode mounted the live root (ISO, netboot): the union is up over the squashfs. */
const LIVE_ROOT = /POWERNODE-ROOT-OK/;
/** 90powernode refused the root: no point waiting for the timeout. */
const ROOT_REFUSED = /POWERNODE-ROOT-REFUSED/;
const LIVE: Pick<PreparedBoot, 'until' | 'fail'> = { until: LIVE_ROOT, fail: ROOT_REFUSED };
/**
 * Boots that must also bring up the root=powernode union: the ISO, and disks whose recorded
 * command line asks for it (raw with `root_fs: erofs`, and qcow2 converted from one).
 */
async function liveWatch(t: BootTarget): Promise<Pick<PreparedBoot, 'until' | 'fail'>> {
  if (t.packager === 'iso') return LIVE;
  const manifest = JSON.parse(await readFile(join(t.dir, MANIFEST_FILE), 'utf8').catch(() => '{}')) as { facts?: Record<string, { cmdline?: unknown }> };
  const powernodeRoot = Object.values(manifest.facts ?? {}).some((f) => typeof f.cmdline === 'string' && /(^|\s)root=powernode(\s|$)/.test(f.cmdline));
  return powernodeRoot ? LIVE : {};
}

/** What to run, a line that must also appear (rpi4, live roots) and one that fails the boot. */
export interface PreparedBoot { argv: string[]; until?: RegExp; fail?: RegExp }

export async function prepareBoot(kind: BootKind, t: BootTarget): Promise<Result<PreparedBoot, string>> {
  const identity = t.identity;
  switch (kind) {
    case 'direct': {
      if (!existsSync(join(t.dir, KERNEL_FILE))) return missing(join(t.dir, KERNEL_FILE));
      // rd.powernode.stop: the guest powers itself off right after the marker.
      const cmdline = `${(await readFile(join(t.dir, CMDLINE_FILE), 'utf8')).trim()} rd.powernode.stop=1`;
      return ok({ argv: directBootArgv({ arch: t.arch, kernel: join(t.dir, KERNEL_FILE), initrd: join(t.dir, INITRD_FILE), cmdline, accel: t.accel, identity }) });
    }
    case 'seabios':
    case 'ovmf':
    case 'aavmf': {
      const disk = diskOf(t);
      if (!existsSync(disk.file)) return missing(disk.file);
      return ok({ argv: diskBootArgv({ kind, arch: t.arch, disk: disk.file, format: disk.format, accel: t.accel, identity }), ...(await liveWatch(t)) });
    }
    case 'cd-seabios':
    case 'cd-ovmf':
    case 'cd-aavmf': {
      const iso = join(t.dir, ISO_FILE);
      if (!existsSync(iso)) return missing(iso);
      return ok({ argv: cdBootArgv({ kind, arch: t.arch, iso, accel: t.accel, identity }), ...LIVE });
    }
    case 'netboot-bios': {
      if (!existsSync(join(t.dir, STAGE2))) return missing(join(t.dir, STAGE2));
      const busybox = await t.executor.which('busybox');
      if (!busybox) return err('netboot needs busybox (httpd) on the host: apt-get install busybox');
      const tftpDir = join(t.scratch, 'tftp');
      await prepareTftp(t.dir, tftpDir);
      return ok({ argv: netbootArgv({ tftpDir, httpDir: t.dir, busybox, accel: t.accel, identity }), ...LIVE });
    }
    case 'rpi4-payload': {
      const disk = diskOf(t);
      if (!existsSync(disk.file)) return missing(disk.file);
      const payload = await extractRpi4Payload(t.executor, disk.file, t.scratch, t.signal);
      if (!payload.ok) return payload;
      // The Pi payload proves its root partition too: wait for the kernel to mount it.
      return ok({ argv: rpi4PayloadArgv({ ...payload.value, disk: disk.file, accel: t.accel, identity }), until: ROOT_MOUNTED });
    }
    default: return assertNever(kind, 'boot kind');
  }
}
