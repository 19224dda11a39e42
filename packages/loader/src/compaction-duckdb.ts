// The DuckDB a compaction runs on: one thread, and partitioned writes flushed every 32,768 rows. Opened for one
// compaction and closed after it, so the memory a large merge took goes back to the system at once.
import { createDuckDB, type DuckDBSession } from '@lens/lake';

/**
 * Rows a thread buffers per partition before handing them to the Parquet writer (DuckDB's
 * `partitioned_write_flush_threshold`, 524,288 by default: ~1.3 GB of bronze rows, JSON text columns).
 */
export const COMPACTION_FLUSH_ROWS = 32_768;

/**
 * Opens a DuckDB for one compaction (close it after). Measured on a soak's bronze.events, one tiered bin of 37
 * files (54 MB, 672,828 rows; `bench/compaction-memory.mjs`, packages/loader/README.md): peak RSS 1.9–2.0 GB with
 * DuckDB's defaults (2 threads, 524,288 rows), 0.66–0.68 GB with these; the merge took 2.8 s instead of 2.0 on an
 * otherwise idle 2-core machine.
 *
 * @example
 * const session = await openCompactionDuckDB();
 * try { await (await DeltaTable.open(dir, { sql: session })).optimize({ tiered: true }); } finally { session.close(); }
 */
export async function openCompactionDuckDB(): Promise<DuckDBSession> {
  const session = await createDuckDB();
  try {
    // A compaction runs beside the loading, which keeps the cores busy, and each thread buffers its own rows:
    // with 2 threads (and the same flush) the peak was 0.96 GB instead of 0.6–0.7.
    await session.run(`SET threads = 1`);
    await session.run(`SET partitioned_write_flush_threshold = ${COMPACTION_FLUSH_ROWS}`);
    return session;
  } catch (error) {
    session.close();
    throw error;
  }
}
