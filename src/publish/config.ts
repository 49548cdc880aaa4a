/**
 * Resolves publish options: CLI flags over a config file (`--publish-config`, YAML or JSON with
 * the same option names) over defaults; secrets only from the environment (or `<NAME>_FILE`).
 * Every problem is reported at once; nothing is published when the config is bad.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Selection } from '../plan/types.js';
import { err, ok, type Result } from '../util/result.js';
import { DEFAULT_RETRY } from './retry.js';
import { readSecret, type Redactor } from './secrets.js';
import { parseS3Url } from './s3/location.js';
import type { PublishConfig, RegistryConfig, SignConfig } from './types.js';

type Values = Record<string, string | boolean | string[] | undefined>;

/** Option names a config file may hold (never secrets). */
const FILE_KEYS = ['sign-key', 'keyless', 'fulcio-url', 'rekor-url', 'registry', 'registry-insecure', 'oci-layout', 'oci-tag', 'oci-mount-from', 's3', 's3-endpoint', 'release', 'release-tag', 'webhook'] as const;

export const DEFAULT_FULCIO = 'https://fulcio.sigstore.dev';
export const DEFAULT_REKOR = 'https://rekor.sigstore.dev';

function loadFile(path: string, problems: string[]): Values {
  try {
    const doc = parseYaml(readFileSync(path, 'utf8')) as unknown;
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) { problems.push(`${path}: expected a mapping of option names`); return {}; }
    const values: Values = {};
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
      if (!(FILE_KEYS as readonly string[]).includes(k)) { problems.push(`${path}: ${k}: unknown option (expected one of ${FILE_KEYS.join(', ')}; secrets come from the environment)`); continue; }
      if (typeof v !== 'string' && typeof v !== 'boolean') { problems.push(`${path}: ${k}: expected a string or boolean`); continue; }
      values[k] = v;
    }
    return values;
  } catch (cause) {
    problems.push(`${path}: cannot read: ${(cause as Error).message}`);
    return {};
  }
}

/** The environment variables publishing reads secrets from (each also as `<NAME>_FILE`). */
export const SECRET_ENV = {
  signKeyPassphrase: 'POWERNODE_SIGN_KEY_PASSPHRASE',
  identityToken: 'SIGSTORE_ID_TOKEN',
  registryUsername: 'POWERNODE_REGISTRY_USERNAME',
  registryPassword: 'POWERNODE_REGISTRY_PASSWORD',
  webhookSecret: 'POWERNODE_WEBHOOK_SECRET',
  releaseToken: 'POWERNODE_RELEASE_TOKEN',
} as const;

const str = (v: Values, k: string): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined);
const bool = (v: Values, k: string): boolean => v[k] === true;

function signConfig(v: Values, env: NodeJS.ProcessEnv, redactor: Redactor, problems: string[]): SignConfig | undefined {
  const keyFile = str(v, 'sign-key');
  if (keyFile && bool(v, 'keyless')) problems.push('--sign-key and --keyless: choose one');
  if (keyFile) return { mode: 'key', keyFile: resolve(keyFile), passphrase: readSecret(env, SECRET_ENV.signKeyPassphrase, redactor) };
  if (!bool(v, 'keyless')) return undefined;
  const identityToken = readSecret(env, SECRET_ENV.identityToken, redactor);
  if (!identityToken) problems.push('--keyless: set SIGSTORE_ID_TOKEN (or SIGSTORE_ID_TOKEN_FILE) to an OIDC identity token');
  return { mode: 'keyless', fulcioUrl: str(v, 'fulcio-url') ?? DEFAULT_FULCIO, rekorUrl: str(v, 'rekor-url') ?? DEFAULT_REKOR, identityToken: identityToken ?? '' };
}

function registryConfig(v: Values, outRoot: string, env: NodeJS.ProcessEnv, redactor: Redactor, problems: string[]): RegistryConfig | undefined {
  const repository = str(v, 'registry');
  if (!repository) return undefined;
  if (!/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+$/.test(repository)) problems.push(`--registry: expected HOST[:PORT]/REPO, got "${repository}"`);
  return {
    repository, insecure: bool(v, 'registry-insecure'),
    layout: resolve(str(v, 'oci-layout') ?? join(outRoot, 'oci')),
    derived: str(v, 'oci-layout') === undefined,
    tag: str(v, 'oci-tag'),
    mountFrom: str(v, 'oci-mount-from'),
    username: readSecret(env, SECRET_ENV.registryUsername, redactor),
    password: readSecret(env, SECRET_ENV.registryPassword, redactor),
  };
}

function s3Config(url: string, endpoint: string | undefined, problems: string[]): PublishConfig['s3'] {
  try {
    return { location: parseS3Url(url), endpoint };
  } catch (cause) {
    problems.push((cause as Error).message);
    return undefined;
  }
}

function validUrl(name: string, url: string | undefined, problems: string[]): void {
  if (url === undefined) return;
  try { new URL(url); } catch { problems.push(`${name}: not a URL: "${url}"`); }
}

export function resolvePublishConfig(
  flags: Values, common: { out: string; selection: Selection }, env: NodeJS.ProcessEnv, redactor: Redactor,
): Result<PublishConfig, string[]> {
  const problems: string[] = [];
  const configFile = str(flags, 'publish-config');
  const v: Values = { ...(configFile ? loadFile(configFile, problems) : {}), ...Object.fromEntries(Object.entries(flags).filter(([, x]) => x !== undefined)) };
  const outRoot = resolve(common.out);
  try {
    const s3Url = str(v, 's3');
    const webhookUrl = str(v, 'webhook');
    const releaseUrl = str(v, 'release');
    validUrl('--webhook', webhookUrl, problems);
    validUrl('--release', releaseUrl, problems);
    validUrl('--s3-endpoint', str(v, 's3-endpoint'), problems);
    const secret = webhookUrl ? readSecret(env, SECRET_ENV.webhookSecret, redactor) : undefined;
    if (webhookUrl && !secret) problems.push('--webhook: set POWERNODE_WEBHOOK_SECRET (or POWERNODE_WEBHOOK_SECRET_FILE); deliveries are always signed');
    const releaseTag = str(v, 'release-tag');
    if (releaseUrl && !releaseTag) problems.push('--release: also pass --release-tag TAG');
    const baseMs = Number(env.POWERNODE_PUBLISH_RETRY_BASE_MS ?? DEFAULT_RETRY.baseMs);
    const config: PublishConfig = {
      outRoot, selection: common.selection,
      sign: signConfig(v, env, redactor, problems),
      registry: registryConfig(v, outRoot, env, redactor, problems),
      s3: s3Url ? s3Config(s3Url, str(v, 's3-endpoint'), problems) : undefined,
      release: releaseUrl ? { url: releaseUrl.replace(/\/+$/, ''), tag: releaseTag ?? '', token: readSecret(env, SECRET_ENV.releaseToken, redactor) } : undefined,
      webhook: webhookUrl && secret ? { url: webhookUrl, secret } : undefined,
      retry: { ...DEFAULT_RETRY, baseMs: Number.isFinite(baseMs) && baseMs >= 0 ? baseMs : DEFAULT_RETRY.baseMs },
    };
    return problems.length > 0 ? err(problems) : ok(config);
  } catch (cause) {
    return err([...problems, (cause as Error).message]);
  }
}
