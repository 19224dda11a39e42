// The server's Logger port: the one every library shares (@lens/protocol), under the names this package uses.
import { noopLogger, type Logger } from '@lens/protocol';

/** Minimal structural logger (pino-compatible). */
export type ServerLogger = Logger;

/** Drops everything; the default. */
export const noopServerLogger: ServerLogger = noopLogger;
