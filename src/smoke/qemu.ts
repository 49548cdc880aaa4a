/** QEMU argv for smoke boots. Pure: the smoke runner executes what these return. */
import type { Arch } from '../config/types.js';

export type Accel = 'tcg' | 'kvm';

export interface DirectBoot {
  arch: Arch;
  kernel: string;
  initrd: string;
  cmdline: string;
  accel: Accel;
  /** Passed through fw-cfg as opt/powernode/identity. */
  identity?: string;
  memoryMiB?: number;
  /** Host directories shared over virtio-9p (`-virtfs`), e.g. the seed bundle. */
  shares?: readonly NinePShare[];
  /** Raw disk images attached as virtio-blk disks, in order (/dev/vda, /dev/vdb, ...). */
  disks?: readonly VirtioDisk[];
  /** One virtio-net NIC on QEMU user networking (slirp); absent: no NIC at all. */
  userNet?: UserNet;
}

export interface NinePShare {
  /** Host directory. */
  path: string;
  /** mount_tag the guest mounts (`mount -t 9p TAG DIR`). */
  tag: string;
  readonly?: boolean;
}

export interface VirtioDisk {
  file: string;
  /** Guest writes go to a temporary overlay, never to `file`. */
  snapshot?: boolean;
}

export interface UserNet {
  /** Guest network (slirp `net=`), e.g. 169.254.169.0/24; QEMU's default is 10.0.2.0/24. */
  net?: string;
  /**
   * Guest TCP addresses forwarded to the host: `ADDR:PORT` -> a command spawned per connection
   * with its stdin/stdout as the connection (slirp `guestfwd=tcp:ADDR:PORT-cmd:ARGV`; ARGV is
   * split on spaces by QEMU, so no argument may contain one).
   */
  guestfwd?: readonly { guest: string; command: readonly string[] }[];
}

export const MARKER = /POWERNODE-INIT-OK id=(\S+)/;

export function qemuProgram(arch: Arch): string {
  return arch === 'amd64' ? 'qemu-system-x86_64' : 'qemu-system-aarch64';
}

export function machineArgs(arch: Arch, accel: Accel): string[] {
  if (arch === 'amd64') return ['-machine', `q35,accel=${accel}`, ...(accel === 'tcg' ? [] : ['-cpu', 'host'])];
  return ['-machine', `virt,accel=${accel}`, '-cpu', accel === 'tcg' ? 'cortex-a57' : 'host'];
}

export function directBootArgv(b: DirectBoot): string[] {
  return [
    qemuProgram(b.arch), ...machineArgs(b.arch, b.accel),
    '-m', String(b.memoryMiB ?? 1024), '-smp', '1',
    '-nodefaults', '-nographic', '-no-reboot', '-serial', 'stdio', '-monitor', 'none',
    '-kernel', b.kernel, '-initrd', b.initrd, '-append', b.cmdline,
    ...(b.identity ? ['-fw_cfg', `name=opt/powernode/identity,string=${b.identity}`] : []),
    ...(b.shares ?? []).flatMap((s, i) => shareArgs(s, i)),
    ...(b.disks ?? []).flatMap((d, i) => ['-drive', `file=${qemuOptValue(d.file)},format=raw,if=virtio,index=${i}${d.snapshot ? ',snapshot=on' : ''}`]),
    ...(b.userNet ? userNetArgs(b.userNet) : []),
  ];
}

/** QEMU option values escape a comma by doubling it. */
function qemuOptValue(v: string): string {
  return v.replaceAll(',', ',,');
}

function shareArgs(s: NinePShare, i: number): string[] {
  if (!/^[A-Za-z0-9._-]{1,31}$/.test(s.tag)) throw new Error(`9p mount_tag "${s.tag}": 1-31 characters of [A-Za-z0-9._-]`);
  return ['-fsdev', `local,id=fs${i},path=${qemuOptValue(s.path)},security_model=none${s.readonly ? ',readonly=on' : ''}`,
    '-device', `virtio-9p-pci,fsdev=fs${i},mount_tag=${s.tag}`];
}

function userNetArgs(n: UserNet): string[] {
  const fwd = (n.guestfwd ?? []).map((f) => {
    if (f.command.some((a) => a === '' || /[\s,]/.test(a))) throw new Error(`guestfwd ${f.guest}: command arguments may not be empty or contain spaces or commas`);
    return `,guestfwd=tcp:${f.guest}-cmd:${f.command.join(' ')}`;
  }).join('');
  return ['-netdev', `user,id=n0${n.net ? `,net=${n.net}` : ''}${fwd}`, '-device', 'virtio-net-pci,netdev=n0'];
}
