/**
 * One SSH connection to a builder, with the host key checked against its pin before any
 * authentication. Keepalives detect a dead peer (no FIN) within ~15 s.
 */
import { Client } from 'ssh2';
import type { Builder } from './builders.js';
import { allowedFingerprints, fingerprint } from './host-key.js';
import { err, ok, type Result } from '../util/result.js';

export type SshFailureCode = 'ssh-connect' | 'ssh-host-key' | 'ssh-disconnected' | 'ssh-transfer' | 'ssh-checksum';

/** A failure talking to a builder; `cause` keeps the library's error. */
export interface SshFailure { code: SshFailureCode; builder: string; message: string; cause?: unknown }

const CONNECT_TIMEOUT_MS = 15_000;

export async function connect(b: Builder, signal: AbortSignal): Promise<Result<Client, SshFailure>> {
  const allowed = await allowedFingerprints(b.hostKey, b.host, b.port);
  let presented: string | undefined;
  const client = new Client();
  return new Promise((resolvePromise) => {
    const done = (r: Result<Client, SshFailure>): void => { signal.removeEventListener('abort', onAbort); resolvePromise(r); };
    const onAbort = (): void => { client.end(); done(err({ code: 'ssh-connect', builder: b.name, message: 'cancelled' })); };
    signal.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    client.once('ready', () => { settled = true; done(ok(client)); });
    // Kept for the connection's life: ssh2 emits 'error' again (ECONNRESET) after a refusal or a
    // drop, and an unheard 'error' would crash the process. 'close' reports the drop to users.
    client.on('error', (cause) => {
      if (settled) return;
      settled = true;
      if (presented && !allowed.includes(presented)) {
        done(err({ code: 'ssh-host-key', builder: b.name, cause, message: `host key ${presented} of ${b.name} is not pinned (${allowed.length > 0 ? `expected ${allowed.join(' or ')}` : 'no pin for this host'}); refusing to connect` }));
      } else {
        done(err({ code: 'ssh-connect', builder: b.name, cause, message: `cannot connect to ${b.name}: ${cause.message}` }));
      }
    });
    client.connect({
      host: b.host, port: b.port, username: b.user, privateKey: b.privateKey,
      readyTimeout: CONNECT_TIMEOUT_MS, keepaliveInterval: 5000, keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => { presented = fingerprint(key); return allowed.includes(presented); },
    });
  });
}
