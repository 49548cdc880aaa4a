/** Parses a dpkg status file into the installed package list. Pure. */
import type { DebPackage } from '../manifest/types.js';

export function parseDpkgStatus(text: string): DebPackage[] {
  const packages: DebPackage[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string): string | undefined => new RegExp(`^${name}: *(.*)$`, 'm').exec(stanza)?.[1]?.trim();
    const name = field('Package');
    const status = field('Status');
    const version = field('Version');
    if (!name || !version || !status?.endsWith(' installed')) continue;
    packages.push({ name, version, arch: field('Architecture') ?? 'all' });
  }
  return packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.arch < b.arch ? -1 : 1));
}

/** Checks pinned versions against what was installed; returns one message per mismatch. */
export function checkVersions(installed: readonly DebPackage[], pinned: Readonly<Record<string, string>>): string[] {
  return Object.entries(pinned).sort().flatMap(([name, version]) => {
    const found = installed.find((p) => p.name === name);
    if (!found) return [`package ${name} is pinned to ${version} but is not installed`];
    return found.version === version ? [] : [`package ${name}: resolved version ${found.version} differs from the pinned ${version}`];
  });
}
