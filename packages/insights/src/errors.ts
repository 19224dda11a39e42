// Typed errors of @lens/insights: a bad query (names the field), refused SQL, a query over its time budget.
// The server maps each to an HTTP status by class, never by message text.
import { LensError } from '@lens/protocol';

/** A query failed validation; `field` is the JSON path of the first offending field (e.g. `steps.1.event`). */
export class InsightQueryError extends LensError {
  constructor(
    readonly field: string,
    message: string,
    readonly issues: readonly { field: string; message: string }[] = [],
  ) {
    super(field ? `${field}: ${message}` : message, { context: { field, issues } });
  }
}

/** Raw SQL was refused by the lockdown (not a SELECT, a table function, a file or network access, a setting). */
export class SqlRefusedError extends LensError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, context: {} });
  }
}

/** Raw SQL that passed the lockdown failed as it ran (a conversion, a division, `error()`): DuckDB's message. */
export class SqlFailedError extends LensError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, context: {} });
  }
}

/** A query ran longer than its budget and was interrupted. */
export class QueryTimeoutError extends LensError {
  constructor(readonly timeoutMs: number) {
    super(`query interrupted after ${timeoutMs} ms (the configured timeout)`, {
      context: { timeoutMs },
      retriable: true,
    });
  }
}

/** The insight kind is not one this engine knows. */
export class UnknownInsightError extends LensError {
  constructor(
    readonly kind: string,
    known: readonly string[],
  ) {
    super(`unknown insight kind "${kind}" (one of ${known.join(', ')})`, { context: { kind } });
  }
}
