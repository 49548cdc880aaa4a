/**
 * A real netboot of the iPXE bundle under SeaBIOS, all inside QEMU's user network: its built-in
 * TFTP server hands out `smoke.ipxe`, which QEMU's own iPXE ROM (stage 1) runs to chain the
 * bundle's undionly.kpxe; the bundle's iPXE (stage 2) runs the same script again and chains the
 * bundle's boot.ipxe over HTTP, as the platform's script.ipxe would. HTTP is `busybox httpd -i`
 * spawned per connection by slirp's guestfwd at 10.0.2.100:80, serving the bundle directory, so
 * no server outlives the boot. The initrd fetches the live root from the same place.
 * UEFI is not netbooted here: slirp offers one boot file name, so a UEFI iPXE loaded by the
 * firmware would be handed itself again (Debian's 2019 iPXE has no autoexec.ipxe).
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Accel } from './qemu.js';
import { machineArgs, qemuProgram } from './qemu.js';

export const HTTP_ADDR = '10.0.2.100';
export const SMOKE_SCRIPT = 'smoke.ipxe';
/** The bundle's BIOS iPXE the smoke boot chains (stage 2). */
export const STAGE2 = 'undionly.kpxe';

/** The TFTP boot script. `${net0/chip}` is `undionly` only under the bundle's UNDI iPXE. Pure. */
export function smokeIpxeScript(): string {
  return [
    '#!ipxe',
    '# powernode smoke netboot: stage 1 = QEMU\'s iPXE ROM, stage 2 = the bundle\'s undionly.kpxe',
    'echo powernode-smoke: iPXE ${version} on ${net0/chip}',
    `iseq \${net0/chip} undionly || chain tftp://\${next-server}/${STAGE2}`,
    `set base-url http://${HTTP_ADDR}`,
    'chain ${base-url}/boot.ipxe',
    '',
  ].join('\n');
}

export interface NetBoot {
  /** TFTP root holding smoke.ipxe and undionly.kpxe. */
  tftpDir: string;
  /** The bundle directory served over HTTP. */
  httpDir: string;
  /** Absolute path of a busybox with httpd. */
  busybox: string;
  accel: Accel;
  identity?: string;
  /** The live root is downloaded into RAM: room for it on top of the initrd. */
  memoryMiB?: number;
}

export function netbootArgv(b: NetBoot): string[] {
  for (const p of [b.tftpDir, b.httpDir, b.busybox]) {
    if (/[\s,]/.test(p)) throw new Error(`netboot: "${p}" may not contain spaces or commas (QEMU option syntax)`);
  }
  const http = `guestfwd=tcp:${HTTP_ADDR}:80-cmd:${b.busybox} httpd -i -h ${b.httpDir}`;
  return [
    qemuProgram('amd64'), ...machineArgs('amd64', b.accel),
    '-m', String(b.memoryMiB ?? 2048), '-smp', '1',
    '-nodefaults', '-nographic', '-no-reboot', '-serial', 'stdio', '-monitor', 'none',
    '-netdev', `user,id=n0,tftp=${b.tftpDir},bootfile=${SMOKE_SCRIPT},${http}`,
    '-device', 'virtio-net-pci,netdev=n0,bootindex=0',
    ...(b.identity ? ['-fw_cfg', `name=opt/powernode/identity,string=${b.identity}`] : []),
  ];
}

/** Fills `tftpDir` with the smoke script and the bundle's stage-2 iPXE. */
export async function prepareTftp(bundle: string, tftpDir: string): Promise<void> {
  await mkdir(tftpDir, { recursive: true });
  await writeFile(join(tftpDir, SMOKE_SCRIPT), smokeIpxeScript());
  await copyFile(join(bundle, STAGE2), join(tftpDir, STAGE2));
}
