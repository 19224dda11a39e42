// Options of the SQLite adapter: the database file (":memory:" for a private in-memory one).
import { z } from 'zod';

/** `path` is the database file; its folder is created if missing. */
export const SqliteKvOptions = z
  .object({
    backend: z.literal('sqlite'),
    path: z.string().min(1),
    /** Milliseconds a writer waits for another process's lock before failing (SQLITE_BUSY). */
    busyTimeoutMs: z.number().int().min(0).default(5000),
  })
  .strict();
export type SqliteKvOptions = z.input<typeof SqliteKvOptions>;
