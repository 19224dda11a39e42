// The Logger port every library takes: the subset of pino it calls, so roles pass their pino logger as is, and
// tests and embedders pay nothing by default.

/** Minimal structural logger (pino-compatible): a structured object first, then a stable snake_case event. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** A logger that drops everything; the default when no logger is given. */
export const noopLogger: Logger = { info: noop, warn: noop, error: noop, debug: noop };
