// Appends records to the log and turns the log's refusals into HTTP answers: backpressure becomes 503 with
// Retry-After (every SDK retries it), so the client keeps the events instead of Lens losing them.
import { isRetriable } from '@lens/protocol';
import type { CollectorContext } from './collector-context.js';
import { HttpError } from './http-error.js';

/** Resolves when the records are durable; rejects with an HttpError (503) when the log cannot take them now. */
export function appendDurably(ctx: CollectorContext, records: readonly Buffer[]): Promise<void> {
  if (records.length === 0) return Promise.resolve();
  const started = performance.now();
  // Not an async function: every request passes here, and each promise hop less shows at tens of thousands a second.
  let appended: Promise<unknown>;
  try {
    appended = ctx.sink.append(records);
  } catch (error) {
    appended = Promise.reject(error); // a sink that throws instead of rejecting is answered the same way
  }
  return appended.then(
    () => {
      ctx.metrics.appendDuration.observe((performance.now() - started) / 1000);
      if (ctx.refusals.lastMs !== undefined) ctx.refusals.lastMs = ctx.refusals.reason = undefined;
    },
    (error: unknown) => {
      ctx.metrics.appendDuration.observe((performance.now() - started) / 1000);
      throw refusal(ctx, error);
    },
  );
}

/** The HTTP answer to a failed append: backpressure becomes 503 with Retry-After (every SDK retries it). */
function refusal(ctx: CollectorContext, error: unknown): HttpError {
  // The operator's setting, not the log's own hint: it is what the configuration documents and what clients see.
  const seconds = ctx.config.retryAfterSeconds;
  ctx.refusals.lastMs = Date.now();
  ctx.refusals.reason = (error as Error).message;
  if (isRetriable(error)) {
    ctx.metrics.backpressure.inc();
    ctx.logger.warn({ err: error }, 'log_backpressure');
    return new HttpError(
      503,
      'log_unavailable',
      `the event log cannot accept events right now (${(error as Error).message}); retry later`,
      { headers: { 'retry-after': String(seconds) }, cause: error },
    );
  }
  // Not ready either (/health) until an append succeeds: the log failed, events sent here are not stored.
  ctx.logger.error({ err: error }, 'log_append_failed');
  return new HttpError(503, 'log_error', 'the event log failed to store the events; retry later', {
    headers: { 'retry-after': String(seconds) },
    cause: error,
  });
}
