/**
 * Sends a cell's `disk_image_built` webhook at most once per distinct body: the state file
 * remembers the digest of the last body delivered. The delivery id is derived from the body, so a
 * re-send after a crash (delivered, state not yet written) carries the same id and receivers
 * can deduplicate it.
 */
import { sha256Hex } from '../../util/hash.js';
import type { Cell } from '../cells.js';
import type { OnRetry, RetryPolicy } from '../retry.js';
import { readState, statePath, writeState } from '../state.js';
import { deliverWebhook, type DeliveryReceipt } from './deliver.js';
import { serializePayload, type WebhookPayload } from './payload.js';

export type NotifyOutcome = { status: 'delivered'; receipt: DeliveryReceipt } | { status: 'already-delivered'; deliveryId: string };

/** A UUID-shaped id (version nibble 8: custom) from a body digest. */
export function deliveryIdFor(bodySha256: string): string {
  const h = bodySha256;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function notifyCell(
  cell: Cell, payload: WebhookPayload,
  o: { outRoot: string; url: string; secret: string; policy: RetryPolicy; signal?: AbortSignal; onRetry?: OnRetry },
): Promise<NotifyOutcome> {
  const body = serializePayload(payload);
  const bodySha = sha256Hex(body);
  const path = statePath(o.outRoot, cell.variant, cell.arch);
  const state = await readState(path);
  if (state.webhook_body_sha256 === bodySha && state.webhook_delivery_id) return { status: 'already-delivered', deliveryId: state.webhook_delivery_id };
  const receipt = await deliverWebhook({ url: o.url, secret: o.secret, body, deliveryId: deliveryIdFor(bodySha), policy: o.policy, signal: o.signal, onRetry: o.onRetry });
  await writeState(path, { format: 1, webhook_body_sha256: bodySha, webhook_delivery_id: receipt.deliveryId, delivered_at: new Date().toISOString() });
  return { status: 'delivered', receipt };
}
