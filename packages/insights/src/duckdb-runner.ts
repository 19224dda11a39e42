// Runs SQL on one DuckDB connection with a time budget (DuckDB's interrupt) and one statement at a time:
// the lake views a query registers are per session, so queries on a session must not interleave.
import type { DuckDBValueConverter } from '@duckdb/node-api';
import type { DuckDBSession } from '@lens/lake';
import { QueryTimeoutError } from './errors.js';

/** Serialises work on a DuckDB session and interrupts statements that exceed `timeoutMs`. */
export class DuckDBRunner {
  #tail: Promise<unknown> = Promise.resolve();
  /** When the work running now started (performance.now()), undefined while idle. */
  #busySince: number | undefined;

  constructor(
    readonly db: DuckDBSession,
    readonly timeoutMs: number,
  ) {}

  /** Runs `work` alone on the session (queued behind earlier work). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.#busySince = performance.now();
      try {
        return await work();
      } finally {
        this.#busySince = undefined;
      }
    };
    const next = this.#tail.then(run, run);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Milliseconds the work running now has run (undefined while idle): a health check tells busy from stuck. */
  busyForMs(): number | undefined {
    return this.#busySince === undefined ? undefined : performance.now() - this.#busySince;
  }

  /** Runs one statement under the timeout, returning rows as plain JS objects. */
  async all(sql: string, timeoutMs = this.timeoutMs): Promise<Record<string, unknown>[]> {
    return this.#timed(
      timeoutMs,
      async () => (await this.db.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[],
    );
  }

  /** Runs one statement under the timeout, returning rows with each value converted by `converter`. */
  async convertedRows(
    sql: string,
    converter: DuckDBValueConverter<unknown>,
    timeoutMs = this.timeoutMs,
  ): Promise<Record<string, unknown>[]> {
    return this.#timed(timeoutMs, async () =>
      (await this.db.connection.runAndReadAll(sql)).convertRowObjects(converter),
    );
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
        for (let j = 0; j < width; j++) copyVector(chunk.getColumnVector(j), rows, cols[j]!, at);
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

/** What copyVector reads from a vector when @duckdb/node-api exposes it (its numeric vectors keep these fields). */
interface NumericVectorInternals {
  items?: unknown;
  validity?: { data?: BigUint64Array | null; offset?: number };
}

/**
 * Copies `rows` values of a result vector into `out` from `at` (NULL as NaN). Numeric vectors are copied as one
 * typed-array block and NULLs patched from the validity bitmap; per-item `getItem` costs ~30 ns a value (its
 * validity test uses BigInt), a quarter of a 10M-row kernel query. Anything else takes the public `getItem` path.
 */
export function copyVector(vector: { getItem(i: number): unknown }, rows: number, out: Float64Array, at: number): void {
  const { items, validity } = vector as unknown as NumericVectorInternals;
  const typed =
    items instanceof Float64Array ||
    items instanceof Int32Array ||
    items instanceof Float32Array ||
    items instanceof Int16Array ||
    items instanceof Int8Array ||
    items instanceof Uint32Array ||
    items instanceof Uint16Array ||
    items instanceof Uint8Array;
  if (typed && items.length === rows && validity !== undefined && 'data' in validity && (validity.offset ?? 0) === 0) {
    out.set(items, at);
    const mask = validity.data;
    if (mask) {
      // DuckDB's validity: bit i of the little-endian 64-bit words is row i (1 = valid).
      const words = new Uint32Array(mask.buffer, mask.byteOffset, mask.length * 2);
      for (let i = 0; i < rows; i++) if (((words[i >>> 5]! >>> (i & 31)) & 1) === 0) out[at + i] = Number.NaN;
    }
    return;
  }
  for (let i = 0; i < rows; i++) {
    const v = vector.getItem(i);
    out[at + i] = v === null ? Number.NaN : Number(v);
  }
}
