// One POST of a batch to the collector's `/v1/batch`, turned into a SendOutcome; shared by both SDKs, which
// differ only in headers (the browser avoids a CORS preflight; Node sends Basic auth) and keepalive.
import { classifyStatus, type SendOutcome } from './retry-policy.js';

/** The subset of `fetch` the SDKs use (the platform's, or one the caller injects). */
export type FetchLike = (
  url: string,
  init: {
    method: string;
    body: string;
    headers: Record<string, string>;
    keepalive?: boolean;
    credentials?: 'omit';
    signal?: AbortSignal;
  },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

export interface SendRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Lets the request outlive the page (pagehide); bodies must then stay under the browser's 64 KiB quota. */
  keepalive?: boolean;
  timeoutMs?: number;
}

/**
 * Sends one request; never throws. A network error, timeout or CORS failure is a retry that does not use
 * up an attempt (the collector never answered); the collector's per-event rejections are counted.
 * @example const outcome = await sendBatch(fetch, { url: `${host}/v1/batch`, body, headers: {} });
 */
export async function sendBatch(fetchFn: FetchLike, request: SendRequest): Promise<SendOutcome> {
  const abort = typeof AbortController === 'function' ? new AbortController() : undefined;
  const timer = abort && request.timeoutMs ? setTimeout(() => abort.abort(), request.timeoutMs) : undefined;
  try {
    const response = await fetchFn(request.url, {
      method: 'POST',
      body: request.body,
      headers: request.headers,
      credentials: 'omit',
      ...(request.keepalive ? { keepalive: true } : {}),
      ...(abort ? { signal: abort.signal } : {}),
    });
    const outcome = classifyStatus(response.status, response.headers.get('retry-after'));
    // Read the body either way: it frees the connection, and a 200 lists the events the collector rejected.
    const text = await response.text().catch(() => '');
    if (outcome.kind === 'ok') {
      const rejected = rejectedOf(text);
      outcome.rejected = rejected.length;
      const indexes = rejected.map((r) => r.index).filter((i): i is number => typeof i === 'number');
      if (indexes.length > 0) outcome.rejectedIndexes = indexes;
    }
    return outcome;
  } catch (error) {
    return { kind: 'retry', reason: `network: ${(error as Error)?.message ?? error}`, countsAsAttempt: false };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** The collector's per-event rejections in a 200 answer (`index` is the event's position in the batch). */
function rejectedOf(text: string): { index?: unknown }[] {
  try {
    const body = JSON.parse(text) as { rejected?: unknown };
    return Array.isArray(body.rejected) ? (body.rejected as { index?: unknown }[]).map((r) => r ?? {}) : [];
  } catch {
    return [];
  }
}
