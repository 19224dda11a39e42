// The Logger port of @lens/insights: the subset of pino it calls, so the server passes its pino logger and
// tests pay nothing.

/** Minimal structural logger (pino-compatible): a structured object first, then a stable snake_case event. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** A logger that drops everything; the default. */
export const noopLogger: Logger = { info: noop, warn: noop, error: noop, debug: noop };
