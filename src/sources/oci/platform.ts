/** Picks the image manifest for a cell's platform out of a multi-arch index. Pure. */

export interface Platform { os: string; architecture: string; variant?: string }

interface IndexEntry { mediaType?: string; digest: string; size: number; platform?: Platform; annotations?: Record<string, string> }

/** Debian architecture names -> OCI (GOARCH) names. */
const OCI_ARCH: Record<string, Platform> = {
  amd64: { os: 'linux', architecture: 'amd64' },
  arm64: { os: 'linux', architecture: 'arm64', variant: 'v8' },
};

export function ociPlatform(debianArch: string): Platform {
  return OCI_ARCH[debianArch] ?? { os: 'linux', architecture: debianArch };
}

/**
 * The entry for `want`: os and architecture must match; a variant matches when equal or when
 * either side leaves it out (arm64 images often omit v8). Attestation manifests
 * (`vnd.docker.reference.type`) are never picked.
 */
export function selectPlatform(manifests: readonly IndexEntry[], want: Platform): IndexEntry | undefined {
  const candidates = manifests.filter((m) => m.platform && !m.annotations?.['vnd.docker.reference.type']
    && m.platform.os === want.os && m.platform.architecture === want.architecture);
  return candidates.find((m) => m.platform?.variant === want.variant)
    ?? candidates.find((m) => !m.platform?.variant || !want.variant);
}

export const describePlatform = (p: Platform): string => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
