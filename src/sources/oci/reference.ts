/** `oci://` references: parsed and printed. Pure. */
import type { OciReference } from '../types.js';
import { err, ok, type Result } from '../../util/result.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

const isLoopback = (registry: string): boolean => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(registry);

export function parseOciReference(text: string, insecureList: readonly string[] = []): Result<OciReference, string> {
  if (!text.startsWith('oci://')) return err(`"${text}": expected oci://registry/repository[:tag][@sha256:...]`);
  let rest = text.slice('oci://'.length);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return err(`"${text}": the digest must be sha256:<64 hex digits>`);
  }
  const slash = rest.indexOf('/');
  if (slash <= 0) return err(`"${text}": expected a registry host before the repository`);
  const registry = rest.slice(0, slash);
  let repository = rest.slice(slash + 1);
  let tag: string | undefined;
  const colon = repository.lastIndexOf(':');
  if (colon > repository.lastIndexOf('/')) {
    tag = repository.slice(colon + 1);
    repository = repository.slice(0, colon);
    if (!TAG.test(tag)) return err(`"${text}": bad tag "${tag}"`);
  }
  if (!REPOSITORY.test(repository)) return err(`"${text}": bad repository "${repository}" (lower-case path components)`);
  if (!tag && !digest) tag = 'latest';
  return ok({ registry, repository, tag, digest, insecure: isLoopback(registry) || insecureList.includes(registry) });
}

export function formatOciReference(r: OciReference): string {
  return `oci://${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}
