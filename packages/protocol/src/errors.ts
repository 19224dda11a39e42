// Typed errors shared by every layer: each carries a stable name, context fields and whether a retry can help,
// so one retry wrapper (and one HTTP error handler) can decide what to do without string matching.

/** Base class of every error Lens throws on purpose. */
export class LensError extends Error {
  /** True when the same call may succeed later (disk pressure, a lost race, a busy peer). */
  readonly retriable: boolean;
  /** Structured facts about the failure, for logs and error bodies. */
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    message: string,
    options: { cause?: unknown; context?: Record<string, unknown>; retriable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
}

/** A configuration file, key or environment variable is wrong; the message names which and why. */
export class ConfigError extends LensError {}

/** True for errors that say a retry may succeed. */
export function isRetriable(error: unknown): boolean {
  return error instanceof LensError && error.retriable;
}
