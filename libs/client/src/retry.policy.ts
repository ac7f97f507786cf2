/**
 * When to try a request again: only answers that say "not now" (503 Service Unavailable, 429 Too Many
 * Requests), and network failures of idempotent requests. Pure functions; the client supplies the
 * clock and the random source.
 */
export interface RetryPolicy {
  /** Further tries after the first; 0 disables retrying. */
  retries: number;
  /** First back-off when the server gives no Retry-After; doubles each try. */
  baseDelayMs: number;
  /** Longest single wait. A Retry-After beyond it is not waited for: the error is returned instead. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, baseDelayMs: 250, maxDelayMs: 30_000 };

export const RETRYABLE_STATUSES: readonly number[] = [429, 503];

/**
 * Parses a Retry-After header (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) into milliseconds from
 * `nowMs`; undefined when absent or unparseable. A date in the past means "now" (0).
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * How long to wait before try number `attempt + 1` (attempt counts from 0), or null to give up.
 * The server's Retry-After wins when present; otherwise exponential back-off with full jitter
 * (`random()` in [0, 1)), so many clients told "503" do not come back in lock-step.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random: () => number): number | null {
  if (attempt >= policy.retries) return null;
  if (retryAfterMs !== undefined) return retryAfterMs <= policy.maxDelayMs ? retryAfterMs : null;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
