// The Logger port of the server: the subset of pino it calls (the role passes its pino logger).

/** Minimal structural logger (pino-compatible). */
export interface ServerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** Drops everything; the default. */
export const noopServerLogger: ServerLogger = { info: noop, warn: noop, error: noop, debug: noop };
