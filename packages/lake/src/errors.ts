// Typed errors of the lake: every failure a caller may want to tell apart (a missing table, a lost commit
// race, a feature we refuse to guess at) is its own LensError subclass with context fields and `retriable`.
import { LensError } from '@lens/protocol';

/** An object (file) the caller asked for does not exist in the store. */
export class ObjectNotFoundError extends LensError {
  constructor(
    readonly key: string,
    options: { cause?: unknown } = {},
  ) {
    super(`object not found: ${key}`, { ...options, context: { key } });
  }
}

/** The path holds no Delta table (no `_delta_log` commits or checkpoints). */
export class TableNotFoundError extends LensError {
  constructor(readonly location: string) {
    super(`no Delta table at ${location} (no _delta_log entries)`, { context: { location } });
  }
}

/** The Delta log is malformed or inconsistent (gaps in versions, missing protocol/metadata, bad JSON). */
export class DeltaProtocolError extends LensError {
  constructor(message: string, context: Record<string, unknown> = {}, options: { cause?: unknown } = {}) {
    super(message, { ...options, context });
  }
}

/** The table needs a reader/writer version or table feature this library does not implement. */
export class UnsupportedFeatureError extends LensError {
  constructor(
    readonly feature: string,
    detail = '',
    context: Record<string, unknown> = {},
  ) {
    super(`unsupported Delta feature: ${feature}${detail ? ` (${detail})` : ''}`, {
      context: { feature, ...context },
    });
  }
}

/** The version or timestamp asked for is outside what the log can reconstruct. */
export class VersionNotFoundError extends LensError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { context });
  }
}

/** A concurrent commit changed what this transaction read or wrote; retrying from a fresh snapshot may succeed. */
export class ConcurrentModificationError extends LensError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { context, retriable: true });
  }
}

/** The caller's input (schema, rows, predicate, options) is invalid for this table. */
export class InvalidInputError extends LensError {
  constructor(message: string, context: Record<string, unknown> = {}, options: { cause?: unknown } = {}) {
    super(message, { ...options, context });
  }
}
