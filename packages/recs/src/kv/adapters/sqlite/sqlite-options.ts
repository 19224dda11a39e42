// Options of the SQLite adapter: the database file (":memory:" for a private in-memory one).
import { z } from 'zod';

/** `path` is the database file; its folder is created if missing. */
export const SqliteKvOptions = z
  .object({
    backend: z.literal('sqlite'),
    path: z.string().min(1),
    /** Milliseconds a writer waits for another process's lock before failing (SQLITE_BUSY). */
    busyTimeoutMs: z.number().int().min(0).default(5000),
    /**
     * Bytes of the file read through a memory map (SQLite's mmap_size; 0: off): a read then copies pages from
     * the OS cache without a system call per page, about half the cost of a cold read. The store never shrinks
     * its file (no VACUUM), which is what makes a mapping safe to keep.
     */
    mmapBytes: z
      .number()
      .int()
      .min(0)
      .default(256 * 1024 * 1024),
  })
  .strict();
export type SqliteKvOptions = z.input<typeof SqliteKvOptions>;
