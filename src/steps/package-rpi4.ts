/**
 * rpi4: a Raspberry Pi 4 SD-card image. MBR (the Pi 4 boot ROM reads MBR; GPT needs an EEPROM
 * update), partition 1 FAT32 "BOOT" with the firmware (start4.elf, fixup4.dat from Debian's
 * raspi-firmware in the arm64 root), the kernel's bcm2711-rpi-4-b.dtb, config.txt, cmdline.txt,
 * kernel and initrd; partition 2 the ext4 root, found by its label (MBR has no PARTLABEL).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { StepContext, StepImpl } from './types.js';
import type { StepFailure } from '../run/types.js';
import { TOOLS } from '../exec/tools.js';
import { gptDiskTools } from './package-raw.js';
import { fatUuidString, shortId, type IdScope } from './disk/guid.js';
import { MBR_TYPE, partitionByName, planDisk } from './disk/layout.js';
import { makeFat, type FatFile } from './disk/fat.js';
import { makeExt4, rootExt4Options } from './disk/ext4.js';
import { assembleDisk, partitionFacts } from './disk/assemble.js';
import { diskInputs, type DiskInputs } from './disk/inputs.js';
import { err, ok, type Result } from '../util/result.js';

export const RPI4_FILE = 'sdcard.img';
export const FIRMWARE_DIR = 'usr/lib/raspi-firmware';
export const FIRMWARE_FILES = ['start4.elf', 'fixup4.dat'] as const;
export const RPI4_DTB = 'broadcom/bcm2711-rpi-4-b.dtb';

/** config.txt for the Pi firmware: 64-bit, our kernel and initrd, mainline device tree. Pure. */
export function rpiConfigTxt(kernel: string, initrd: string, dtb: string): string {
  return [
    '# Raspberry Pi 4 firmware configuration, written by powernode-image-builder.',
    'arm_64bit=1',
    'enable_uart=1',
    'upstream_kernel=1',
    `kernel=${kernel}`,
    `initramfs ${initrd} followkernel`,
    `device_tree=${dtb}`,
    '',
  ].join('\n');
}

/** What goes on the boot partition, or which inputs are missing. */
async function bootFiles(ctx: StepContext, inputs: DiskInputs, cmdline: string): Promise<Result<FatFile[], StepFailure>> {
  const firmware = FIRMWARE_FILES.map((f) => ({ source: join(inputs.root, FIRMWARE_DIR, f), dest: `/${f}` }));
  const dtb = { source: inputs.dtbDir ? join(inputs.dtbDir, RPI4_DTB) : '', dest: `/${basename(RPI4_DTB)}` };
  const absent = [...firmware, dtb].filter((f) => !f.source || !existsSync(f.source)).map((f) => f.dest.slice(1));
  if (absent.length > 0) {
    return err({ code: 'check', message: `${ctx.step.id}: missing ${absent.join(', ')}: the arm64 root needs raspi-firmware (pins packages.arm64, non-free-firmware) and the kernel its device trees` });
  }
  await writeFile(join(ctx.workDir, 'config.txt'), rpiConfigTxt('vmlinuz', 'initrd.img', basename(RPI4_DTB)));
  await writeFile(join(ctx.workDir, 'cmdline.txt'), cmdline + '\n');
  return ok([
    ...firmware, dtb,
    { source: join(ctx.workDir, 'config.txt'), dest: '/config.txt' },
    { source: join(ctx.workDir, 'cmdline.txt'), dest: '/cmdline.txt' },
    { source: inputs.kernel, dest: '/vmlinuz' },
    { source: inputs.initrd, dest: '/initrd.img' },
  ]);
}

export const rpi4Packager: StepImpl = {
  tools: () => gptDiskTools('arm64').filter((t) => t !== TOOLS.grubMkimage),
  async run(ctx) {
    const variant = ctx.config.variants.get(ctx.step.variant ?? '');
    if (variant?.packager.type !== 'rpi4') throw new Error(`invariant: ${ctx.step.id} misplanned`);
    const p = variant.packager;
    const inputs = await diskInputs(ctx);
    if (!inputs.ok) return inputs;
    const files = await bootFiles(ctx, inputs.value, p.cmdline.trim());
    if (!files.ok) return files;
    const scope: IdScope = { variant: variant.name, arch: ctx.step.arch };
    const plan = planDisk(scope, 'dos', p.size_mib, [
      { name: 'boot', type: MBR_TYPE.fat32Lba, sizeMiB: p.boot_mib, bootable: true },
      { name: 'root', type: MBR_TYPE.linux, sizeMiB: 'rest' },
    ]);
    const images = new Map([['boot', join(ctx.workDir, 'boot.img')], ['root', join(ctx.workDir, 'root.img')]]);
    const sde = ctx.config.pins.source_date_epoch;
    const volumeId = shortId(scope, 'fs', 'boot');
    const fat = await makeFat(ctx, { label: 'BOOT', volumeId, sizeMiB: p.boot_mib, sourceDateEpoch: sde }, files.value, images.get('boot') ?? '');
    if (!fat.ok) return fat;
    const ext4 = rootExt4Options(scope, partitionByName(plan, 'root').sizeMiB, sde);
    const fs = await makeExt4(ctx, ext4, inputs.value.root, images.get('root') ?? '');
    if (!fs.ok) return fs;
    const a = await assembleDisk(ctx, plan, images, join(ctx.outDir, RPI4_FILE));
    if (!a.ok) return a;
    return ok({
      kver: inputs.value.kver, cmdline: p.cmdline.trim(), boot_files: files.value.map((f) => f.dest.slice(1)).sort(),
      filesystems: { boot: { type: 'vfat', label: 'BOOT', volume_id: fatUuidString(volumeId) }, root: { type: 'ext4', label: 'root', uuid: ext4.uuid } },
      partition_table: await partitionFacts(plan, images, ctx.signal),
    });
  },
};
