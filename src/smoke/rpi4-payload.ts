/**
 * Takes the Raspberry Pi image apart for a `virt` boot: the MBR partition table read in-process,
 * then the kernel, initrd and command line copied out of the FAT boot partition with mtools
 * (no mounts). What boots is exactly what the Pi firmware would load.
 */
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Executor } from '../exec/types.js';
import { formatExecFailure } from '../exec/format.js';
import { err, ok, type Result } from '../util/result.js';

export interface MbrPartition { index: number; type: number; bootable: boolean; startLba: number; sectors: number }

/** The four primary entries of an MBR sector (empty ones dropped). Pure. */
export function parseMbr(sector: Uint8Array): Result<MbrPartition[], string> {
  const b = Buffer.from(sector);
  if (b.length < 512 || b.readUInt16LE(510) !== 0xaa55) return err('no MBR signature (0x55AA) in sector 0');
  const parts: MbrPartition[] = [];
  for (let i = 0; i < 4; i++) {
    const at = 0x1be + i * 16;
    const type = b.readUInt8(at + 4);
    if (type === 0) continue;
    parts.push({ index: i + 1, type, bootable: b.readUInt8(at) === 0x80, startLba: b.readUInt32LE(at + 8), sectors: b.readUInt32LE(at + 12) });
  }
  return ok(parts);
}

export async function readMbr(image: string): Promise<Result<MbrPartition[], string>> {
  const fh = await open(image, 'r');
  try {
    const sector = Buffer.alloc(512);
    await fh.read(sector, 0, 512, 0);
    return parseMbr(sector);
  } finally {
    await fh.close();
  }
}

/** `mcopy -i IMAGE@@OFFSET ::/name dest`: reads a file from a FAT partition inside an image. Pure. */
export function mcopyOutArgv(image: string, offsetBytes: number, name: string, dest: string): string[] {
  return ['mcopy', '-n', '-i', `${image}@@${offsetBytes}`, `::/${name}`, dest];
}

export interface Rpi4Payload { kernel: string; initrd: string; cmdline: string; config: string }

/** Copies config.txt, cmdline.txt and the files config.txt names out of the boot partition. */
export async function extractRpi4Payload(executor: Executor, image: string, dir: string, signal: AbortSignal): Promise<Result<Rpi4Payload, string>> {
  const table = await readMbr(image);
  if (!table.ok) return table;
  const boot = table.value.find((p) => p.index === 1);
  if (!boot) return err('the image has no first partition');
  const offset = boot.startLba * 512;
  const copy = async (name: string): Promise<Result<string, string>> => {
    const dest = join(dir, name);
    const r = await executor.run({ argv: mcopyOutArgv(image, offset, name, dest), env: { MTOOLS_SKIP_CHECK: '1' }, purpose: `copy ${name} out of the boot partition` }, { signal });
    return r.ok ? ok(dest) : err(formatExecFailure(r.error));
  };
  const config = await copy('config.txt');
  if (!config.ok) return config;
  const text = await readFile(config.value, 'utf8');
  const kernelName = /^kernel=(\S+)$/m.exec(text)?.[1];
  const initrdName = /^initramfs (\S+)/m.exec(text)?.[1];
  if (!kernelName || !initrdName) return err('config.txt names no kernel= or no initramfs');
  const files = [await copy(kernelName), await copy(initrdName), await copy('cmdline.txt')];
  const [kernel, initrd, cmdline] = files;
  if (!kernel?.ok) return kernel ?? err('kernel');
  if (!initrd?.ok) return initrd ?? err('initrd');
  if (!cmdline?.ok) return cmdline ?? err('cmdline');
  return ok({ kernel: kernel.value, initrd: initrd.value, cmdline: (await readFile(cmdline.value, 'utf8')).trim(), config: text });
}
