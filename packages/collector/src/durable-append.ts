// Appends records to the log and turns the log's refusals into HTTP answers: backpressure becomes 503 with
// Retry-After (every SDK retries it), so the client keeps the events instead of Lens losing them.
import { isRetriable } from '@lens/protocol';
import type { CollectorContext } from './collector-context.js';
import { HttpError } from './http-error.js';

/** Resolves when the records are durable; throws an HttpError (503) when the log cannot take them now. */
export async function appendDurably(ctx: CollectorContext, records: readonly Buffer[]): Promise<void> {
  if (records.length === 0) return;
  const started = performance.now();
  try {
    await ctx.sink.append(records);
    if (ctx.refusals.lastMs !== undefined) ctx.refusals.lastMs = ctx.refusals.reason = undefined;
  } catch (error) {
    // The operator's setting, not the log's own hint: it is what the configuration documents and what clients see.
    const seconds = ctx.config.retryAfterSeconds;
    if (isRetriable(error)) {
      ctx.refusals.lastMs = Date.now();
      ctx.refusals.reason = (error as Error).message;
      ctx.metrics.backpressure.inc();
      ctx.logger.warn({ err: error }, 'log_backpressure');
      throw new HttpError(
        503,
        'log_unavailable',
        `the event log cannot accept events right now (${(error as Error).message}); retry later`,
        { headers: { 'retry-after': String(seconds) }, cause: error },
      );
    }
    // Not ready either (/health) until an append succeeds: the log failed, events sent here are not stored.
    ctx.refusals.lastMs = Date.now();
    ctx.refusals.reason = (error as Error).message;
    ctx.logger.error({ err: error }, 'log_append_failed');
    throw new HttpError(503, 'log_error', 'the event log failed to store the events; retry later', {
      headers: { 'retry-after': String(seconds) },
      cause: error,
    });
  } finally {
    ctx.metrics.appendDuration.observe((performance.now() - started) / 1000);
  }
}
