/**
 * The one error shape that crosses the publish boundary: a closed `code` union, a message in plain
 * words that never holds a secret, and the original `cause` for debugging.
 */

export type PublishErrorCode =
  /** Options, config file or environment are wrong or incomplete. */
  | 'config'
  /** A local file could not be read or written. */
  | 'io'
  /** Producing a Sigstore bundle failed (key, Fulcio, Rekor). */
  | 'sign'
  /** A bundle or a re-read upload did not verify. */
  | 'verify'
  /** The remote could not be reached (refused, reset, DNS, timeout). */
  | 'network'
  /** The remote answered with an unexpected HTTP status. */
  | 'http'
  /** The remote answered, but what it holds is not what was sent. */
  | 'integrity'
  /** The run was cancelled. */
  | 'aborted';

export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(
    readonly code: PublishErrorCode,
    message: string,
    options: { cause?: unknown; status?: number; retryable?: boolean; retryAfterMs?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** HTTP status, for `http` errors. */
  readonly status: number | undefined;
  /** Whether trying again may succeed (5xx, 429, network). */
  readonly retryable: boolean;
  /** The server's Retry-After, when it sent one. */
  readonly retryAfterMs: number | undefined;
}

/** Retryable statuses: the server may answer differently next time. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** An error for an unexpected HTTP answer; the body excerpt is short and never echoes a request. */
export function httpError(what: string, res: { status: number; statusText: string; headers: Headers }, body = ''): PublishError {
  const retryAfter = Number(res.headers.get('retry-after'));
  const excerpt = body.trim().slice(0, 200);
  return new PublishError('http', `${what}: HTTP ${res.status} ${res.statusText}${excerpt ? ` (${excerpt})` : ''}`, {
    status: res.status,
    retryable: isRetryableStatus(res.status),
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  });
}

/** Wraps anything thrown by fetch or a client library as a PublishError, keeping it as `cause`. */
export function toPublishError(cause: unknown, what: string): PublishError {
  if (cause instanceof PublishError) return cause;
  if (cause instanceof Error && cause.name === 'AbortError') return new PublishError('aborted', `${what}: cancelled`, { cause });
  const code = networkCode(cause);
  if (code) return new PublishError('network', `${what}: ${code}`, { cause, retryable: true });
  const message = cause instanceof Error ? cause.message : String(cause);
  return new PublishError('network', `${what}: ${message}`, { cause, retryable: true });
}

/** The errno-style code of a network failure, looking through fetch's `cause` chain. */
function networkCode(cause: unknown): string | undefined {
  for (let e: unknown = cause, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$|^UND_ERR/.test(code)) return code;
  }
  return undefined;
}
