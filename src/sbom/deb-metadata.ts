/**
 * What an SBOM needs to know about each installed .deb, from three places in a Debian root:
 * the dpkg status (source package), the apt Packages indexes (the .deb's SHA-256) and the
 * DEP-5 copyright files (licenses). Pure parsers.
 */

export interface DebDetails {
  name: string;
  version: string;
  arch: string;
  /** Source package name (dpkg's `Source:` without its version, else the package name). */
  source: string;
  sourceVersion: string;
}

function stanzas(text: string): ((name: string) => string | undefined)[] {
  return text.split(/\n\s*\n/).map((stanza) => (name: string) => new RegExp(`^${name}: *(.*)$`, 'm').exec(stanza)?.[1]?.trim());
}

export function parseStatusDetails(status: string): DebDetails[] {
  return stanzas(status).flatMap((field) => {
    const name = field('Package');
    const version = field('Version');
    if (!name || !version || !field('Status')?.endsWith(' installed')) return [];
    const m = /^(\S+)(?: \((.+)\))?$/.exec(field('Source') ?? name);
    return [{ name, version, arch: field('Architecture') ?? 'all', source: m?.[1] ?? name, sourceVersion: m?.[2] ?? version }];
  }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `name version arch` -> SHA-256 of the .deb, from apt Packages index texts. */
export function parsePackagesIndex(texts: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const text of texts) {
    for (const field of stanzas(text)) {
      const [name, version, arch, sha] = [field('Package'), field('Version'), field('Architecture'), field('SHA256')];
      if (name && version && arch && sha) out.set(`${name} ${version} ${arch}`, sha);
    }
  }
  return out;
}

/**
 * License identifiers named by a machine-readable (DEP-5) copyright file, in order of first
 * appearance; empty for free-form files (then the SBOM says NOASSERTION).
 */
export function parseCopyrightLicenses(text: string): string[] {
  if (!/^Format: .*copyright-format/m.test(text)) return [];
  const names = [...text.matchAll(/^License: *(\S[^\n]*)$/gm)].map((m) => (m[1] ?? '').trim());
  return [...new Set(names.filter((n) => n.length > 0))];
}
