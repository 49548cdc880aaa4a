/**
 * Host key pinning: a builder is trusted only when its host key matches the pinned SHA256
 * fingerprint (as `ssh-keygen -lf` prints it) or a known_hosts entry for its host and port.
 * There is no trust-on-first-use.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** `SHA256:<base64 without padding>` of a host key blob, as OpenSSH prints it. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Key blobs known_hosts lists for host:port (plain host names; hashed entries are not matched). */
export function knownHostKeys(text: string, host: string, port: number): Buffer[] {
  const names = new Set(port === 22 ? [host, `[${host}]:22`] : [`[${host}]:${port}`]);
  const keys: Buffer[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('@')) continue;
    const [hosts, , blob] = line.split(/\s+/);
    if (hosts && blob && hosts.split(',').some((h) => names.has(h))) keys.push(Buffer.from(blob, 'base64'));
  }
  return keys;
}

export type HostKeyPin = { fingerprint: string } | { knownHosts: string };

/** The fingerprints a builder may present; empty means "unknown host" (the connection is refused). */
export async function allowedFingerprints(pin: HostKeyPin, host: string, port: number): Promise<string[]> {
  if ('fingerprint' in pin) return [pin.fingerprint];
  let text: string;
  try { text = await readFile(pin.knownHosts, 'utf8'); } catch { return []; }
  return knownHostKeys(text, host, port).map(fingerprint);
}
