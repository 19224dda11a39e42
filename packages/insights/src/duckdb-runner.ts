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
    return this.#timed(timeoutMs, async () => (await this.db.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]);
  }

  /**
   * Runs one SELECT of numeric columns under the timeout and returns them as typed arrays in result order
   * (NULL as NaN) — for the typed-array kernels, without building a JS object per row.
   */
  async columns(sql: string, timeoutMs = this.timeoutMs): Promise<NumericColumns> {
    return this.#timed(timeoutMs, async () => {
      const result = await this.db.connection.run(sql);
      const n = result.rowCount;
      const width = result.columnCount;
      const cols = Array.from({ length: width }, () => new Float64Array(n));
      let at = 0;
      for (let c = 0; c < result.chunkCount; c++) {
        const chunk = result.getChunk(c);
        const rows = chunk.rowCount;
        for (let j = 0; j < width; j++) {
          const vector = chunk.getColumnVector(j);
          const out = cols[j]!;
          for (let i = 0; i < rows; i++) {
            const v = vector.getItem(i);
            out[at + i] = v === null ? Number.NaN : Number(v);
          }
        }
        at += rows;
      }
      return { rows: n, names: Array.from({ length: width }, (_, j) => result.columnName(j)), cols };
    });
  }

  async #timed<T>(timeoutMs: number, work: () => Promise<T>): Promise<T> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.db.connection.interrupt();
    }, timeoutMs);
    try {
      return await work();
    } catch (error) {
      if (timedOut) throw new QueryTimeoutError(timeoutMs);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Numeric result columns as typed arrays. */
export interface NumericColumns {
  rows: number;
  names: string[];
  cols: Float64Array[];
}
