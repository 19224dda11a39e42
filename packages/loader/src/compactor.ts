// Background compaction of a bronze table (bronze.events, and bronze.quarantine, which takes a small file at every
// commit with rows just as well — a steady trickle of bad input made thousands a day): after every N commits with
// rows, OPTIMIZE (bin-packing, dataChange=false) on its own DuckDB, so appends never wait for it; the lake's
// conflict rules let appends commute with it. At most once an hour it then VACUUMs at the table's retention
// (delta.deletedFileRetentionDuration, 7 days by default): the small files compaction replaced stay readable for
// time travel that long, then leave the disk. Each compaction opens its own DuckDB and closes it after: one kept open
// (one per table) held up to 0.87 GB above its start 2 s after a merge of 54 MB (bench/compaction-memory.mjs).
import { DeltaTable, type DuckDBSession } from '@lens/lake';
import { openCompactionDuckDB } from './compaction-duckdb.js';
import type { LoaderMetrics } from './loader-metrics.js';
import type { Logger } from './logger.js';

/** Counts event commits and runs at most one OPTIMIZE at a time. */
/** How often at most the compactor vacuums (after a compaction). */
const VACUUM_EVERY_MS = 3_600_000;

export class Compactor {
  /**
   * Commits since the last compaction. A process compacts at its first commit: the count starts again with each
   * process, so a loader restarted more often than every `everyCommits` commits would never compact otherwise.
   */
  #commits: number;
  #lastVacuum = 0;
  #running: Promise<void> | undefined;

  constructor(
    /** `events` or `quarantine`: the label of its metrics and logs. */
    readonly table: string,
    readonly tablePath: string,
    readonly everyCommits: number,
    readonly targetFileSize: number,
    readonly metrics: LoaderMetrics,
    readonly logger: Logger,
    /** Opens the DuckDB of one compaction (closed after it). */
    readonly openSession: () => Promise<DuckDBSession> = openCompactionDuckDB,
  ) {
    this.#commits = Math.max(0, everyCommits - 1);
  }

  /** Called after each commit with rows; starts a compaction when due (0 = never). */
  onCommit(): void {
    if (this.everyCommits === 0 || ++this.#commits < this.everyCommits || this.#running) return;
    this.#commits = 0;
    this.#running = this.#compact().finally(() => {
      this.#running = undefined;
    });
  }

  async #compact(): Promise<void> {
    const started = Date.now();
    let session: DuckDBSession | undefined;
    try {
      session = await this.openSession();
      const table = await DeltaTable.open(this.tablePath, { sql: session });
      // Tiered: the day's large file is not rewritten for the few small files each run adds.
      const result = await table.optimize({ targetFileSize: this.targetFileSize, tiered: true });
      this.metrics.compactions.inc({ table: this.table, outcome: result.commit ? 'compacted' : 'nothing_to_do' });
      this.logger.info(
        {
          table: this.table,
          filesRemoved: result.filesRemoved,
          filesAdded: result.filesAdded,
          ms: Date.now() - started,
        },
        'loader_compaction_done',
      );
      if (Date.now() - this.#lastVacuum >= VACUUM_EVERY_MS) {
        this.#lastVacuum = Date.now();
        await table.vacuum().then(
          (deleted) => this.logger.info({ table: this.table, deletedFiles: deleted.length }, 'loader_vacuum_done'),
          (error: unknown) => this.logger.warn({ err: error, table: this.table }, 'loader_vacuum_failed'), // tried again in an hour
        );
      }
    } catch (error) {
      // Compaction is an optimisation: a failure (a conflicting delete, say) is retried at the next trigger.
      this.metrics.compactions.inc({ table: this.table, outcome: 'failed' });
      this.logger.warn({ err: error, table: this.table }, 'loader_compaction_failed');
    } finally {
      session?.close();
    }
  }

  /** Waits for a running compaction. */
  async close(): Promise<void> {
    await this.#running;
  }
}
