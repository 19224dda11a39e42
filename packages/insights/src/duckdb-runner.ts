// Runs SQL on one DuckDB connection with a time budget (DuckDB's interrupt) and one statement at a time:
// the lake views a query registers are per session, so queries on a session must not interleave.
import type { DuckDBSession } from '@lens/lake';
import { QueryTimeoutError } from './errors.js';

/** Serialises work on a DuckDB session and interrupts statements that exceed `timeoutMs`. */
export class DuckDBRunner {
  #tail: Promise<unknown> = Promise.resolve();

  constructor(readonly db: DuckDBSession, readonly timeoutMs: number) {}

  /** Runs `work` alone on the session (queued behind earlier work). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(work, work);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Runs one statement under the timeout, returning rows as plain JS objects. */
  async all(sql: string, timeoutMs = this.timeoutMs): Promise<Record<string, unknown>[]> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.db.connection.interrupt();
    }, timeoutMs);
    try {
      return (await this.db.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    } catch (error) {
      if (timedOut) throw new QueryTimeoutError(timeoutMs);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
