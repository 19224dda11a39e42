// What to do with a failed send, shared by the browser and Node SDKs: retry network errors, 5xx, 408 and 429
// (honouring Retry-After) with exponential backoff and jitter; never retry other 4xx (resending cannot help).

/** Backoff settings. Defaults: 1 s doubling to 60 s, 10 attempts per event before it is dropped (counted). */
export interface RetryOptions {
  baseMs?: number;
  maxMs?: number;
  /**
   * Attempts an event gets against a collector that answers 5xx; in the browser network errors and 429 do not use
   * them up (the Node SDK counts every failure, see its `maxRetries`).
   */
  maxAttempts?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { baseMs: 1000, maxMs: 60_000, maxAttempts: 10 };

/**
 * How a send ended: `ok` (with the count the collector rejected as invalid, and their positions in the batch when
 * it said), `retry` or `drop`.
 */
export type SendOutcome =
  | { kind: 'ok'; rejected: number; rejectedIndexes?: number[] }
  | { kind: 'retry'; reason: string; retryAfterMs?: number; countsAsAttempt: boolean }
  | { kind: 'drop'; reason: string };

/** Classifies an HTTP answer. 2xx and 3xx are success (as every tracking SDK treats them). */
export function classifyStatus(status: number, retryAfter: string | null): SendOutcome {
  if (status < 400) return { kind: 'ok', rejected: 0 };
  if (status === 429 || status === 408 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter);
    return {
      kind: 'retry',
      reason: `http_${status}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      countsAsAttempt: status >= 500,
    };
  }
  return { kind: 'drop', reason: `http_${status}` };
}

/**
 * Parses `Retry-After` (delta-seconds or an HTTP date, RFC 9110 §10.2.3) into milliseconds from now,
 * capped at one hour so a bad header cannot park the queue forever.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, ms), 3_600_000);
}

/**
 * Delay before retry number `failures` (1-based): exponential, capped, with "equal jitter" (half fixed,
 * half random) so many clients failing together do not come back together; never below Retry-After.
 * @example backoffDelay(3, { baseMs: 1000, maxMs: 60000 }) // between 4000 and 8000
 */
export function backoffDelay(
  failures: number,
  options: RetryOptions = {},
  retryAfterMs = 0,
  random = Math.random,
): number {
  const base = options.baseMs ?? DEFAULT_RETRY.baseMs;
  const max = options.maxMs ?? DEFAULT_RETRY.maxMs;
  const exp = Math.min(max, base * 2 ** Math.max(0, failures - 1));
  return Math.max(retryAfterMs, Math.round(exp / 2 + (random() * exp) / 2));
}
