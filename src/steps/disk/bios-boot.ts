/**
 * GRUB for BIOS on a GPT disk image, written by our own code: `grub-bios-setup` refuses image
 * files. boot.img goes into the MBR and core.img into the BIOS boot partition, patched the way
 * grub-setup (grub 2.06 util/setup.c) patches them for an embedded core. Pure byte patching plus
 * one small function that writes the result into the image.
 */
import { open, readFile } from 'node:fs/promises';
import { SECTOR } from './layout.js';

// Offsets in boot.img (include/grub/i386/pc/boot.h).
const BPB_START = 0x03;
const BPB_END = 0x5a;
const KERNEL_SECTOR = 0x5c;
const DRIVE_CHECK = 0x66;
const PART_START = 0x1b8;
// The last blocklist entry of diskboot.img (the first sector of core.img): start u64, len u16, segment u16.
const BLOCKLIST = SECTOR - 12;
/** Where the second sector of core.img is loaded: GRUB_BOOT_I386_PC_KERNEL_SEG + 512 bytes. */
const CORE_SEGMENT = 0x820;

/**
 * The MBR sector: GRUB's boot.img carrying the existing sector's BPB area and partition table
 * (0x1B8-0x1FF: disk signature, protective MBR entry, 0x55AA), pointing at `coreLba`.
 */
export function patchBootSector(bootImg: Uint8Array, existingMbr: Uint8Array, coreLba: number): Buffer {
  if (bootImg.length !== SECTOR || existingMbr.length !== SECTOR) throw new RangeError('boot.img and the MBR are one 512-byte sector');
  const out = Buffer.from(bootImg);
  out.set(existingMbr.subarray(BPB_START, BPB_END), BPB_START);
  out.set(existingMbr.subarray(PART_START, SECTOR), PART_START);
  out.writeBigUInt64LE(BigInt(coreLba), KERNEL_SECTOR);
  // A hard disk: replace the jump that trusts a floppy's drive number by two NOPs (as grub-setup does).
  out[DRIVE_CHECK] = 0x90;
  out[DRIVE_CHECK + 1] = 0x90;
  return out;
}

/** core.img with diskboot's blocklist naming the rest of the core: sectors coreLba+1 onwards. */
export function patchCoreImage(coreImg: Uint8Array, coreLba: number): Buffer {
  const sectors = Math.ceil(coreImg.length / SECTOR);
  if (sectors < 2) throw new RangeError('core.img is shorter than two sectors');
  const out = Buffer.alloc(sectors * SECTOR);
  out.set(coreImg);
  out.writeBigUInt64LE(BigInt(coreLba + 1), BLOCKLIST);
  out.writeUInt16LE(sectors - 1, BLOCKLIST + 8);
  out.writeUInt16LE(CORE_SEGMENT, BLOCKLIST + 10);
  return out;
}

/** Writes boot.img into sector 0 of `disk` (after the partition table exists). */
export async function installBootSector(disk: string, bootImgPath: string, coreLba: number): Promise<void> {
  const bootImg = await readFile(bootImgPath);
  const fh = await open(disk, 'r+');
  try {
    const mbr = Buffer.alloc(SECTOR);
    await fh.read(mbr, 0, SECTOR, 0);
    await fh.write(patchBootSector(bootImg, mbr, coreLba), 0, SECTOR, 0);
  } finally {
    await fh.close();
  }
}
