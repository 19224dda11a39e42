// Prism's typed errors: configuration mistakes in pipeline definitions (naming file, line and key), graph
// errors, and run failures (an expectation with action `fail`, a transform DuckDB rejected).
import { ConfigError, LensError } from '@lens/protocol';
import type { ExpectationResult } from './engine/expectations.js';

/** A pipeline definition is invalid; `file`, `line` and `key` say where. */
export class PipelineDefinitionError extends ConfigError {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number | undefined,
    readonly key: string | undefined,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}${key ? ` (${key})` : ''}: ${message}`, {
      context: { file, line, key },
    });
  }
}

/**
 * The definitions form a cycle or read a table no definition and no lake table provides; `file` and `line` say
 * where the offending input is written.
 */
export class PipelineGraphError extends ConfigError {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number | undefined,
    context: Record<string, unknown>,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`} (inputs): ${message}`, {
      context: { ...context, file, line },
    });
  }
}

/** An expectation with action `fail` found rows violating it; nothing was committed. */
export class ExpectationFailedError extends LensError {
  constructor(
    readonly dataset: string,
    readonly expectation: string,
    readonly failedRows: number,
    /** Every expectation checked up to and including the failing one (lens.runs records them). */
    readonly results: readonly ExpectationResult[] = [],
  ) {
    super(`${dataset}: expectation "${expectation}" failed for ${failedRows} row(s)`, {
      context: { dataset, expectation, failedRows },
    });
  }
}

/** A run of one dataset failed; `cause` holds the underlying error. Lake conflicts and I/O are retriable. */
export class PipelineRunError extends LensError {
  constructor(
    readonly dataset: string,
    message: string,
    options: { cause?: unknown; retriable?: boolean } = {},
  ) {
    super(`${dataset}: ${message}`, { ...options, context: { dataset } });
  }
}
