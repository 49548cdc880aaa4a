/**
 * Registry authentication: answers a 401 challenge. `Basic` uses the configured credentials;
 * `Bearer` fetches a token from the realm for the scope (with those credentials if any), as in
 * the distribution token spec. Credentials never appear in messages.
 */
import { httpError, toPublishError } from '../errors.js';

export interface Credentials { username: string; password: string }

interface Challenge { scheme: string; params: Record<string, string> }

export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^(\w+)\s*(.*)$/.exec(header.trim());
  if (!m?.[1]) return undefined;
  const params: Record<string, string> = {};
  for (const p of (m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) if (p[1]) params[p[1]] = p[2] ?? '';
  return { scheme: m[1].toLowerCase(), params };
}

const basic = (c: Credentials): string => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

/** The Authorization header value for a challenge, or undefined when it cannot be answered. */
export async function answerChallenge(challenge: Challenge, creds: Credentials | undefined, scope: string, signal?: AbortSignal): Promise<string | undefined> {
  if (challenge.scheme === 'basic') return creds ? basic(creds) : undefined;
  if (challenge.scheme !== 'bearer' || !challenge.params.realm) return undefined;
  const url = new URL(challenge.params.realm);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  url.searchParams.set('scope', challenge.params.scope ?? scope);
  let res: Response;
  try {
    res = await fetch(url, { headers: creds ? { authorization: basic(creds) } : {}, signal });
  } catch (cause) {
    throw toPublishError(cause, `registry token ${url.origin}`);
  }
  if (!res.ok) throw httpError(`registry token ${url.origin}${url.pathname}`, res);
  const body = (await res.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  return token ? `Bearer ${token}` : undefined;
}
