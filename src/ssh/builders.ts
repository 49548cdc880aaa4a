/**
 * SSH builders: `--builder ssh://user@host[:port]` (+ `--ssh-key FILE`, host keys from
 * `--known-hosts` style files) or a builders file (YAML) with hosts per arch, their
 * concurrency and their pinned host key. parse -> validate -> resolve; all problems at once.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { fromZod, formatIssues } from '../config/issues.js';
import type { Arch } from '../config/types.js';
import { err, ok, type Result } from '../util/result.js';

const hostKeySchema = z.union([
  z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'expected an OpenSSH fingerprint like SHA256:<43 base64 chars>'),
  z.object({ known_hosts: z.string().min(1) }).strict(),
]);

const builderSchema = z.object({
  url: z.string().regex(/^ssh:\/\/[^@/\s]+@[^:/\s]+(:\d+)?\/?$/, 'expected ssh://user@host[:port]'),
  arches: z.array(z.enum(['amd64', 'arm64'])).min(1),
  concurrency: z.number().int().positive().default(1),
  key: z.string().min(1),
  host_key: hostKeySchema,
  /** The builder CLI on the remote, as argv (`node /opt/powernode/bin/build.js`). */
  command: z.array(z.string().min(1)).min(1).default(['build']),
  /** Remote directory for the mirrored project and the remote step cache. */
  workdir: z.string().regex(/^\//, 'expected an absolute path').default('/var/tmp/powernode-builder'),
}).strict();

export const buildersFileSchema = z.object({ format: z.literal(1), builders: z.array(builderSchema).min(1) }).strict();

/** A resolved builder. */
export interface Builder {
  /** `user@host:port`, for logs and the manifest's run envelope. */
  name: string;
  host: string;
  port: number;
  user: string;
  /** Private key (OpenSSH or PEM), read when the file is loaded. */
  privateKey: Buffer;
  /** null: any arch (a single `--builder`). */
  arches: readonly Arch[] | null;
  concurrency: number;
  hostKey: { fingerprint: string } | { knownHosts: string };
  command: readonly string[];
  workdir: string;
}

export function parseSshUrl(url: string): Result<{ user: string; host: string; port: number }, string> {
  const m = /^ssh:\/\/([^@/\s]+)@([^:/\s]+)(?::(\d+))?\/?$/.exec(url);
  if (!m?.[1] || !m[2]) return err(`expected ssh://user@host[:port], got "${url}"`);
  const port = m[3] ? Number(m[3]) : 22;
  return port > 0 && port < 65536 ? ok({ user: m[1], host: m[2], port }) : err(`port out of range in "${url}"`);
}

export interface CliBuilderOptions { urls: readonly string[]; keyFile: string | undefined; knownHosts: string; command: readonly string[]; workdir: string }

/** Builders from `--builder` flags: any arch, concurrency 1, host keys from a known_hosts file. */
export async function buildersFromFlags(o: CliBuilderOptions): Promise<Result<Builder[], string>> {
  if (!o.keyFile) return err('--builder needs --ssh-key FILE');
  let privateKey: Buffer;
  try { privateKey = await readFile(o.keyFile); } catch (cause) { return err(`--ssh-key: cannot read ${o.keyFile}: ${(cause as Error).message}`); }
  const out: Builder[] = [];
  for (const url of o.urls) {
    const u = parseSshUrl(url);
    if (!u.ok) return err(`--builder: ${u.error}`);
    out.push({ ...u.value, name: `${u.value.user}@${u.value.host}:${u.value.port}`, privateKey, arches: null, concurrency: 1, hostKey: { knownHosts: o.knownHosts }, command: o.command, workdir: o.workdir });
  }
  return ok(out);
}

export async function loadBuildersFile(file: string): Promise<Result<Builder[], string>> {
  let text: string;
  try { text = await readFile(file, 'utf8'); } catch (cause) { return err(`${file}: cannot read: ${(cause as Error).message}`); }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) return err(`${file}: invalid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`);
  const parsed = buildersFileSchema.safeParse(doc.toJS());
  if (!parsed.success) return err(formatIssues(fromZod(file, parsed.error)));
  const base = dirname(resolve(file));
  const problems: string[] = [];
  const out: Builder[] = [];
  for (const [i, b] of parsed.data.builders.entries()) {
    const u = parseSshUrl(b.url);
    let privateKey: Buffer | undefined;
    try { privateKey = await readFile(resolve(base, b.key)); } catch (cause) { problems.push(`${file}: builders.${i}.key: cannot read: ${(cause as Error).message}`); }
    if (!u.ok || !privateKey) { if (!u.ok) problems.push(`${file}: builders.${i}.url: ${u.error}`); continue; }
    const hostKey = typeof b.host_key === 'string' ? { fingerprint: b.host_key } : { knownHosts: resolve(base, b.host_key.known_hosts) };
    out.push({ ...u.value, name: `${u.value.user}@${u.value.host}:${u.value.port}`, privateKey, arches: b.arches, concurrency: b.concurrency, hostKey, command: b.command, workdir: b.workdir });
  }
  return problems.length > 0 ? err(problems.join('\n')) : ok(out);
}
