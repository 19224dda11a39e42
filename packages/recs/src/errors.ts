// Typed errors of @lens/recs. Infrastructure failures are thrown; each says whether a retry may succeed.
import { LensError } from '@lens/protocol';

/** A key-value store operation failed (the backend is unreachable, throttled, or refused the request). */
export class KeyValueStoreError extends LensError {}

/** A key or value the store cannot hold (empty key, key or value too large). */
export class InvalidKeyValueError extends LensError {}

/** Recommendations configuration is wrong (unknown backend, missing option). */
export class RecsConfigError extends LensError {}

/** A training or loading step failed; `context.step` names it. */
export class RecsTrainingError extends LensError {}

/** An HTTP request to the recommendations API is invalid; `statusCode` is the response status. */
export class RecsRequestError extends LensError {
  readonly statusCode: number;
  constructor(message: string, statusCode = 400, context: Record<string, unknown> = {}) {
    super(message, { context });
    this.statusCode = statusCode;
  }
}
