/**
 * `boot.ipxe` of the netboot bundle: the chain target of the platform's
 * `/api/v1/system/netboot/:instance_id/script.ipxe`. The variant's `base_url` is templated at
 * build time for what the build knows (`{arch}`, `{variant}`) and turned into iPXE settings for
 * what only the platform knows at boot (`{platform_url}` -> `${platform_url}`, `{instance_id}`
 * -> `${instance_id}`), which its script.ipxe sets before `chain`. A chainer may also set
 * `base-url` itself (the smoke boot does). Pure.
 */
import type { Arch } from '../../config/types.js';
import { err, ok, type Result } from '../../util/result.js';

/** Placeholders resolved by iPXE at boot time: the platform's script sets these settings. */
const RUNTIME = new Set(['platform_url', 'instance_id']);

export function templateBaseUrl(template: string, vars: { arch: Arch; variant: string }): Result<string, string> {
  const unknown: string[] = [];
  const url = template.replace(/\{([a-z_]+)\}/g, (_m, name: string) => {
    if (name === 'arch') return vars.arch;
    if (name === 'variant') return vars.variant;
    if (RUNTIME.has(name)) return `\${${name}}`;
    unknown.push(name);
    return '';
  });
  if (unknown.length > 0) return err(`base_url: unknown placeholder(s) ${unknown.map((n) => `{${n}}`).join(', ')}; known: {platform_url}, {instance_id}, {arch}, {variant}`);
  return ok(url.replace(/\/+$/, ''));
}

export interface BootScript { variant: string; arch: Arch; baseUrl: string; cmdline: string; kernel: string; initrd: string; liveImage: string }

export function bootIpxe(s: BootScript): string {
  const live = `root=powernode powernode.live=\${base-url}/${s.liveImage}`;
  return [
    '#!ipxe',
    `# Powernode netboot: ${s.variant}/${s.arch}. Chained from the platform's script.ipxe, which sets`,
    '# ${platform_url} and ${instance_id} (or ${base-url}). The live root is fetched by the initrd',
    '# over plain http:// (busybox wget): serve the bundle over http.',
    `isset \${base-url} || set base-url ${s.baseUrl}`,
    `kernel \${base-url}/${s.kernel} initrd=${s.initrd} ${s.cmdline} ${live}`,
    `initrd \${base-url}/${s.initrd}`,
    'boot',
    '',
  ].join('\n');
}

/** Debian's ipxe package: the amd64 (x86) binaries the bundle carries. There is no arm64 build. */
export const IPXE_DIR = '/usr/lib/ipxe';
export const IPXE_BINARIES: Readonly<Record<Arch, readonly string[]>> = {
  amd64: ['ipxe.efi', 'snponly.efi', 'undionly.kpxe'],
  arm64: [],
};
