// Typed errors of the event log: each failure a caller reacts to differently (back off, pick another
// partition, fix its offset, stop and page someone) is its own LensError subclass with context fields.
import { LensError } from '@lens/protocol';

/** The log refuses appends for now (disk nearly full, a consumer too far behind); retry after `retryAfterMs`. */
export class LogBackpressureError extends LensError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
    context: Record<string, unknown> = {},
  ) {
    super(message, { context: { ...context, retryAfterMs }, retriable: true });
  }
}

/** Another live writer (this process or another) owns the partition. */
export class PartitionLockedError extends LensError {
  constructor(
    readonly partition: number,
    context: Record<string, unknown> = {},
  ) {
    super(`partition ${partition} is held by another live writer (${JSON.stringify(context)})`, {
      context: { partition, ...context },
      retriable: true,
    });
  }
}

/** The requested offset was deleted by retention (below `start`). */
export class OffsetOutOfRangeError extends LensError {
  constructor(
    readonly partition: number,
    readonly offset: number,
    readonly start: number,
  ) {
    super(`offset ${offset} of partition ${partition} is below the log start ${start} (deleted by retention)`, {
      context: { partition, offset, start },
    });
  }
}

/** A caller passed something the log cannot take (empty append, bad consumer name, negative offset). */
export class LogArgumentError extends LensError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { context });
  }
}

/** The log or writer was closed, or a writer failed (an fsync error) and must be reopened to recover. */
export class LogClosedError extends LensError {
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, options);
  }
}

/** Stored data contradicts what was acknowledged (a checksum failure inside the durable range). */
export class LogCorruptionError extends LensError {
  constructor(message: string, context: Record<string, unknown> = {}, options: { cause?: unknown } = {}) {
    super(message, { ...options, context });
  }
}
