/** The resolved publish configuration: what the orchestrator runs. Type-only. */
import type { Selection } from '../plan/types.js';
import type { RetryPolicy } from './retry.js';
import type { S3Location } from './s3/location.js';

export type SignConfig =
  | { mode: 'key'; /** PEM private key file. */ keyFile: string; passphrase: string | undefined }
  | { mode: 'keyless'; fulcioUrl: string; rekorUrl: string; /** OIDC token (SIGSTORE_ID_TOKEN). */ identityToken: string };

export interface RegistryConfig {
  /** `host[:port]/repo[/...]`, the repository pushed to. */
  repository: string;
  /** Plain HTTP (local registries only). */
  insecure: boolean;
  /** OCI image layout directory to push: by default `<out>/oci`, the multi-arch layout over the oci cells. */
  layout: string;
  /** The default layout: (re)written from the oci cells present before the push (for outputs gathered from several runners). */
  derived: boolean;
  /** Repository on the same registry to mount blobs from (cross-repo mount), if any. */
  mountFrom: string | undefined;
  /** Optional tag for the pushed index. */
  tag: string | undefined;
  username: string | undefined;
  password: string | undefined;
}

export interface ReleaseConfig {
  /** API repository URL: `https://gitea.example/api/v1/repos/OWNER/REPO` or `https://api.github.com/repos/OWNER/REPO`. */
  url: string;
  tag: string;
  token: string | undefined;
}

export interface PublishConfig {
  outRoot: string;
  selection: Selection;
  sign: SignConfig | undefined;
  registry: RegistryConfig | undefined;
  s3: { location: S3Location; endpoint: string | undefined } | undefined;
  release: ReleaseConfig | undefined;
  webhook: { url: string; secret: string } | undefined;
  retry: RetryPolicy;
}

/** A line of progress; already free of secrets when it reaches a Logger. */
export type Logger = (line: string) => void;
