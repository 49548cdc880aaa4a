/**
 * Delivers one webhook: POST, signed, retried with backoff and jitter on 5xx, 429 and network
 * errors. Every attempt carries the same delivery id (receivers deduplicate on it) and a fresh
 * timestamp (so a late retry is not rejected by the replay window).
 */
import { randomUUID } from 'node:crypto';
import { httpError, PublishError, toPublishError } from '../errors.js';
import { withRetry, type OnRetry, type RetryPolicy } from '../retry.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhook } from './signature.js';

export const EVENT = 'disk_image_built';

export interface WebhookDelivery {
  url: string;
  /** HMAC secret; absent means unsigned (refused unless explicitly allowed by the caller). */
  secret: string;
  /** The exact bytes sent (stable JSON). */
  body: string;
  deliveryId?: string;
  policy: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: OnRetry;
  /** Per-attempt timeout. */
  timeoutMs?: number;
}

export interface DeliveryReceipt { deliveryId: string; status: number; attempts: number }

export async function deliverWebhook(d: WebhookDelivery): Promise<DeliveryReceipt> {
  const deliveryId = d.deliveryId ?? randomUUID();
  const what = `webhook ${redactUrl(d.url)}`;
  let attempts = 0;
  const status = await withRetry(async () => {
    attempts++;
    const timestamp = Math.floor(Date.now() / 1000);
    const signals = [AbortSignal.timeout(d.timeoutMs ?? 30_000), ...(d.signal ? [d.signal] : [])];
    const res = await fetch(d.url, {
      method: 'POST',
      body: d.body,
      signal: AbortSignal.any(signals),
      headers: {
        'content-type': 'application/json',
        [EVENT_HEADER]: EVENT,
        [DELIVERY_HEADER]: deliveryId,
        [SIGNATURE_HEADER]: signWebhook(d.secret, d.body, timestamp),
      },
    });
    const text = await res.text().catch(() => '');
    if (!res.ok) throw httpError(what, res, text);
    return res.status;
  }, { policy: d.policy, signal: d.signal, onRetry: d.onRetry, toError: (e) => (e instanceof PublishError ? e : toPublishError(e, what)) });
  return { deliveryId, status, attempts };
}

/** URLs may carry credentials or tokens in the query: keep scheme, host and path only. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}
