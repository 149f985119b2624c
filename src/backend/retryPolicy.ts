// When and how often a failed S3 request is sent again. Throttling (503 SlowDown, 429), other
// 5xx answers, timeouts and dropped connections are temporary: wait with exponential backoff
// and full jitter (so many clients do not retry in step) and send it again. Everything else
// (403, 404, a bad request) is answered at once.
//
// A backend that has never reached its server gives up after `firstContactAttempts`, so a
// wrong or dead endpoint fails in about a second instead of minutes; once a request has
// succeeded, a server that goes away gets the whole budget (`attempts`, ~20 s by default),
// which rides out a restart.

export interface RetryPolicy {
  attempts: number;
  firstContactAttempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 8, firstContactAttempts: 2, baseMs: 200, maxMs: 5000 };

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** True when the server could not be reached or the connection broke (no HTTP answer). */
export function isNetworkError(err: unknown): boolean {
  const e = err as { code?: string; name?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  if (e?.$metadata?.httpStatusCode) return false;
  if (e?.code && NETWORK_CODES.has(e.code)) return true;
  if (e?.name === 'TimeoutError' || e?.name === 'RequestTimeout' || e?.name === 'AbortError') return true;
  return e?.cause !== undefined && e.cause !== err && isNetworkError(e.cause);
}

/** True for answers worth sending again: throttling, 5xx, and network failures. */
export function isRetryable(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (status !== undefined) return status === 429 || status >= 500;
  return isNetworkError(err);
}

/** The wait before attempt `attempt` (1 = the first retry): full jitter over a doubling cap. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.random() * Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
}
