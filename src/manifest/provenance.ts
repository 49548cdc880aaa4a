/**
 * SLSA v1 provenance: an in-toto Statement v1 over a cell's artifacts, written beside them as
 * provenance.intoto.json and signed by the publishing signer. Deterministic (no wall-clock time),
 * so it is as reproducible as the artifacts it describes.
 */
import type { BuildManifest } from './types.js';
import { stableStringify } from '../util/stable-json.js';

export const PROVENANCE_FILE = 'provenance.intoto.json';
export const BUILD_TYPE = 'https://powernode.dev/image-builder/build/v1';

type Core = Omit<BuildManifest, 'run' | 'provenance'>;

function resolvedDependencies(m: Core): Record<string, unknown>[] {
  const release = m.facts[`rootfs@${m.arch}`]?.release as { file?: string; sha256?: string; date?: string } | undefined;
  const pins = m.pins as { debian?: { mirror?: string; suite?: string } };
  const deps: Record<string, unknown>[] = [];
  if (release?.sha256 && pins.debian?.mirror) {
    deps.push({ uri: `${pins.debian.mirror}/dists/${pins.debian.suite ?? ''}/InRelease`, digest: { sha256: release.sha256 }, annotations: { date: release.date } });
  }
  deps.push(...m.inputs.map((f) => ({ uri: `file:${f.path}`, digest: { sha256: f.sha256 } })));
  deps.push(...m.packages.map((p) => ({ uri: `pkg:deb/debian/${p.name}@${encodeURIComponent(p.version)}?arch=${p.arch}` })));
  return deps;
}

export function buildProvenance(m: Core, builderId: string): string {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: m.artifacts.map((a) => ({ name: a.path, digest: { sha256: a.sha256 } })),
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: BUILD_TYPE,
        externalParameters: { variant: m.variant, arch: m.arch, packager: m.packager },
        internalParameters: { pins: m.pins, source_date_epoch: m.source_date_epoch, tools: m.tools },
        resolvedDependencies: resolvedDependencies(m),
      },
      runDetails: {
        builder: { id: builderId },
        metadata: {},
        byproducts: m.steps.map((s) => ({ name: s.id, annotations: { kind: s.kind, key: s.key } })),
      },
    },
  };
  return stableStringify(statement, 2) + '\n';
}
