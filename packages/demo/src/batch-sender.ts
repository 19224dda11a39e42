// Posts batches to a collector's tracking API (`POST {url}/v1/batch`, HTTP Basic with the write key as user)
// the way the Segment SDKs do: the same body is retried on 429/5xx (honouring Retry-After) and on network
// errors with capped exponential backoff, so with the collector's messageId dedup each event lands once.
import type { TrackingEvent } from '@lens/protocol';
import { DemoDeliveryError } from './errors.js';

/** Options of `createBatchSender`. */
export interface BatchSenderOptions {
  /** Collector base URL, e.g. http://localhost:8080. */
  readonly url: string;
  readonly writeKey: string;
  /** Attempts per batch before giving it up (default 10). */
  readonly maxAttempts?: number;
  /** Per-request timeout in ms (default 15 s). */
  readonly timeoutMs?: number;
  /** Called before each retry, for logs and stats. */
  readonly onRetry?: (info: { attempt: number; status: number | undefined; waitMs: number; error?: unknown }) => void;
  /** Cuts retry waits short and gives the batch up (the traffic was stopped); a request in flight finishes. */
  readonly signal?: AbortSignal;
}

/** What the collector said about a delivered batch. */
export interface BatchResult {
  readonly accepted: number;
  readonly rejected: number;
  readonly attempts: number;
}

const RETRIABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Creates a function that delivers one batch, retrying until accepted or given up (DemoDeliveryError). */
export function createBatchSender(
  options: BatchSenderOptions,
): (events: readonly TrackingEvent[]) => Promise<BatchResult> {
  const endpoint = new URL('/v1/batch', options.url).href;
  const authorization = `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`;
  const maxAttempts = options.maxAttempts ?? 10;
  const timeoutMs = options.timeoutMs ?? 15_000;
  return async (events) => {
    const sentAt = new Date().toISOString();
    const body = JSON.stringify({ batch: events.map((e) => ({ ...e, sentAt })), sentAt });
    for (let attempt = 1; ; attempt++) {
      let status: number | undefined;
      let retryAfterMs: number | undefined;
      let failure: unknown;
      try {
        const signal = AbortSignal.timeout(timeoutMs);
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body,
          signal,
        });
        status = response.status;
        const text = await response.text();
        if (response.ok) return { ...countsOf(text, events.length), attempts: attempt };
        if (!RETRIABLE_STATUS.has(status)) {
          throw new DemoDeliveryError(
            `collector answered ${status} to a batch of ${events.length}: ${text.slice(0, 300)}`,
            { context: { status, endpoint }, retriable: false },
          );
        }
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      } catch (error) {
        if (error instanceof DemoDeliveryError) throw error;
        failure = error;
      }
      if (attempt >= maxAttempts || options.signal?.aborted === true) {
        throw new DemoDeliveryError(
          `batch of ${events.length} not delivered after ${attempt} attempts (last: ${status ?? String(failure)})`,
          { cause: failure, context: { status, endpoint }, retriable: true },
        );
      }
      const waitMs = retryAfterMs ?? Math.min(10_000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      options.onRetry?.({ attempt, status, waitMs, error: failure });
      await sleep(waitMs, options.signal);
    }
  };
}

function countsOf(text: string, sent: number): { accepted: number; rejected: number } {
  try {
    const reply = JSON.parse(text) as { accepted?: unknown; rejected?: unknown };
    const accepted = typeof reply.accepted === 'number' ? reply.accepted : sent;
    return { accepted, rejected: Array.isArray(reply.rejected) ? reply.rejected.length : sent - accepted };
  } catch {
    return { accepted: sent, rejected: 0 }; // a 2xx without a JSON body (Segment's own API) accepted all
  }
}

/** Retry-After is delta-seconds or an HTTP date (RFC 9110 §10.2.3); capped at a minute. */
export function parseRetryAfter(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(60_000, Math.max(0, ms)) : undefined;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
