/**
 * Retries with exponential backoff and full jitter, for remote calls that may fail transiently
 * (5xx, 429, connection reset). One policy object, passed in, so tests can make it fast.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PublishError } from './errors.js';

export interface RetryPolicy {
  /** Attempts in total, including the first. */
  attempts: number;
  /** Upper bound of the first backoff, doubled after each failure. */
  baseMs: number;
  /** Cap on a single backoff. */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 500, maxMs: 15_000 };

/** Called before each retry: which attempt failed, why, and how long we wait. */
export type OnRetry = (info: { attempt: number; error: PublishError; delayMs: number }) => void;

/** Full jitter: a uniform delay in [0, min(max, base * 2^n)) spreads retrying clients apart. */
export function backoffMs(policy: RetryPolicy, failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (failures - 1));
  return Math.floor(random() * ceiling);
}

/** Runs `fn` until it succeeds, throws a non-retryable error, or attempts run out. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: { policy: RetryPolicy; signal?: AbortSignal; onRetry?: OnRetry; toError: (e: unknown) => PublishError },
): Promise<T> {
  const { policy, signal, onRetry, toError } = options;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (thrown) {
      const error = toError(thrown);
      if (!error.retryable || attempt >= policy.attempts || signal?.aborted) throw error;
      const delayMs = error.retryAfterMs ?? backoffMs(policy, attempt);
      onRetry?.({ attempt, error, delayMs });
      await sleep(Math.min(delayMs, policy.maxMs), undefined, { signal });
    }
  }
}
