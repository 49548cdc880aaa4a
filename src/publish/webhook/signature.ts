/**
 * HMAC signatures of webhook deliveries, in the form receivers check:
 * `X-Powernode-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * `verifyWebhook` is exported for receivers: constant-time compare, 300 s replay window.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '../../util/result.js';

export const EVENT_HEADER = 'X-Powernode-Event';
export const DELIVERY_HEADER = 'X-Powernode-Delivery';
export const SIGNATURE_HEADER = 'X-Powernode-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

function hmacHex(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The signature header value for `body` sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, body: string | Buffer, timestamp: number): string {
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;
}

export type WebhookRejection =
  /** No header, or not of the form t=...,v1=... */
  | 'malformed'
  /** The timestamp is outside the replay window. */
  | 'expired'
  /** No v1 signature matches. */
  | 'mismatch';

export interface VerifyWebhookOptions {
  secret: string;
  /** The raw request body, exactly as received (not re-serialized JSON). */
  body: string | Buffer;
  /** The X-Powernode-Signature header value. */
  header: string | undefined | null;
  /** Current unix seconds (for tests). */
  now?: number;
  /** Replay window in seconds, both directions (default 300). */
  toleranceSeconds?: number;
}

/** Checks a delivery. Several v1 entries are allowed (secret rotation): any one may match. */
export function verifyWebhook(options: VerifyWebhookOptions): Result<{ timestamp: number }, WebhookRejection> {
  const { secret, body, header } = options;
  if (!header) return err('malformed');
  const parts = header.split(',').map((p) => p.trim().split('=', 2) as [string, string | undefined]);
  const t = parts.find(([k]) => k === 't')?.[1];
  const signatures = parts.filter(([k, v]) => k === 'v1' && v !== undefined && /^[0-9a-f]{64}$/.test(v)).map(([, v]) => v ?? '');
  if (!t || !/^\d+$/.test(t) || signatures.length === 0) return err('malformed');
  const timestamp = Number(t);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return err('expired');
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  const matched = signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
  return matched ? ok({ timestamp }) : err('mismatch');
}
