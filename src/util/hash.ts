import { createHash } from 'node:crypto';
import { stableStringify } from './stable-json.js';

/** A content-addressed step key: sha256 over the stable JSON of a step's inputs. */
export type StepKey = string & { readonly __brand: 'StepKey' };

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function keyOf(inputs: unknown): StepKey {
  return sha256Hex(stableStringify(inputs)) as StepKey;
}
