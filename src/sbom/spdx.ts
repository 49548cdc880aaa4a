/**
 * SPDX 2.3 JSON for a root filesystem: one package per installed .deb with its version,
 * architecture, source package, declared licenses (where the copyright file is machine-readable)
 * and the .deb's SHA-256. Pure and deterministic: created at SOURCE_DATE_EPOCH, sorted.
 */
import type { DebDetails } from './deb-metadata.js';
import { sha256Hex } from '../util/hash.js';
import { stableStringify } from '../util/stable-json.js';

export const SBOM_FILE = 'sbom.spdx.json';

export interface SbomInput {
  /** e.g. `rootfs@amd64` */
  name: string;
  packages: readonly DebDetails[];
  debSha256: ReadonlyMap<string, string>;
  licenses: ReadonlyMap<string, readonly string[]>;
  sourceDateEpoch: number;
  builder: string;
}

/** Debian short names mostly are SPDX ids; anything else becomes a LicenseRef-. `or`/`and` keep their meaning. */
function licenseTerm(name: string): string {
  // split() with a capture group yields undefined where the comma alternative matched.
  const parts = (name.split(/\s+(or|and)\s+|,\s*/i) as (string | undefined)[]).filter((p): p is string => p !== undefined && p !== '');
  const terms = parts.map((p) => {
    if (/^(or|and)$/i.test(p)) return p.toUpperCase();
    const id = p.trim().replace(/[^A-Za-z0-9.+-]/g, '-');
    return /^[A-Za-z0-9.-]+\+?$/.test(id) ? id : `LicenseRef-${id}`;
  });
  // A comma-separated list means every license applies.
  const expr = terms.reduce((acc, t, i) => (i === 0 ? t : /^(OR|AND)$/.test(t) || /^(OR|AND)$/.test(terms[i - 1] ?? '') ? `${acc} ${t}` : `${acc} AND ${t}`), '');
  return terms.length > 1 ? `(${expr})` : expr;
}

function licenseExpression(names: readonly string[] | undefined): string {
  if (!names || names.length === 0) return 'NOASSERTION';
  return [...new Set(names.map(licenseTerm))].join(' AND ');
}

const spdxId = (p: DebDetails): string => `SPDXRef-deb-${`${p.name}-${p.arch}`.replace(/[^A-Za-z0-9.-]/g, '-')}`;

export function buildSpdx(input: SbomInput): string {
  const created = new Date(input.sourceDateEpoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const packages = input.packages.map((p) => {
    const sha = input.debSha256.get(`${p.name} ${p.version} ${p.arch}`);
    return {
      SPDXID: spdxId(p),
      name: p.name,
      versionInfo: p.version,
      supplier: 'Organization: Debian',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: licenseExpression(input.licenses.get(p.name)),
      copyrightText: 'NOASSERTION',
      sourceInfo: `built from Debian source package ${p.source} ${p.sourceVersion}`,
      ...(sha ? { checksums: [{ algorithm: 'SHA256', checksumValue: sha }] } : {}),
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:deb/debian/${p.name}@${encodeURIComponent(p.version)}?arch=${p.arch}` }],
    };
  });
  const body = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: input.name,
    creationInfo: { created, creators: [`Tool: ${input.builder}`] },
    packages,
    relationships: packages.map((p) => ({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: p.SPDXID })),
  };
  // The namespace must be unique per document: derive it from the content, so it is also stable.
  const documentNamespace = `https://powernode.dev/spdx/${input.name}/${sha256Hex(stableStringify(body))}`;
  return stableStringify({ ...body, documentNamespace }, 2) + '\n';
}
