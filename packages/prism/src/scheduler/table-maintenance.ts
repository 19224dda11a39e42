// Upkeep of the tables the scheduler writes. A continuous dataset commits every few seconds while events arrive
// (a small file each time: ~86,000 a day for silver.events), and a full-refresh one replaces its files at every
// run: without upkeep, reads slow down with the file count and replaced files fill the disk. Between ticks, so
// never racing the scheduler's own commits: OPTIMIZE (bin-packing, dataChange=false — incremental readers skip
// it) every `optimizeEveryMs`, VACUUM at each table's own retention (delta.deletedFileRetentionDuration, 7 days
// by default, so time travel within it still works) every `vacuumEveryMs`. Between those periods a table that
// took `packAfterCommits` commits has its small files packed (below `packSmallFileBytes`) at once: with a commit a
// second, ten minutes of small files made every continuous run scan hundreds of them (silver.sessions at 20
// events/s: 920 ms a run with ~130 files, 233 ms with them packed).
import { createDuckDB, DeltaTable, TableNotFoundError } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import type { Logger } from '../logger.js';

/** When the scheduler looks after its tables. */
export interface MaintenanceOptions {
  /** Default 10 minutes; 0 = never. */
  optimizeEveryMs?: number;
  /** Default 1 hour; 0 = never. */
  vacuumEveryMs?: number;
  /** Files below this size are packed together (default 32 MiB; a packed file that reaches it is left alone). */
  targetFileBytes?: number;
  /** A table that took this many commits (noteCommits) since its last packing has its small files packed (default 30; 0 = never). */
  packAfterCommits?: number;
  /**
   * What that packing takes: files below this size (default 4 MiB), so it rewrites a few MiB, not the day's large
   * file each time; the periodic OPTIMIZE packs these into `targetFileBytes` files.
   */
  packSmallFileBytes?: number;
}

/** Tracks what is due and runs it over `tables`; returns whether anything ran. */
export class TableMaintenance {
  #lastOptimize: number;
  #lastVacuum: number;
  /** Commits per table since its last packing. */
  readonly #commits = new Map<string, number>();

  constructor(
    private readonly dataDir: string,
    private readonly options: MaintenanceOptions,
    private readonly logger: Logger,
    now = Date.now(),
  ) {
    // Not at start-up: the first upkeep comes one period after the scheduler starts.
    this.#lastOptimize = now;
    this.#lastVacuum = now;
  }

  /** Counts a commit to each of `tables` (the scheduler's runs that wrote, and lens.runs). */
  noteCommits(tables: Iterable<string>): void {
    for (const name of tables) this.#commits.set(name, (this.#commits.get(name) ?? 0) + 1);
  }

  async runDue(tables: readonly string[], now = Date.now()): Promise<boolean> {
    const optimizeEvery = this.options.optimizeEveryMs ?? 600_000;
    const vacuumEvery = this.options.vacuumEveryMs ?? 3_600_000;
    const packAfter = this.options.packAfterCommits ?? 30;
    const optimize = optimizeEvery > 0 && now - this.#lastOptimize >= optimizeEvery;
    const vacuum = vacuumEvery > 0 && now - this.#lastVacuum >= vacuumEvery;
    const packing = new Set(
      packAfter > 0 && !optimize ? tables.filter((name) => (this.#commits.get(name) ?? 0) >= packAfter) : [],
    );
    if (!optimize && !vacuum && packing.size === 0) return false;
    if (optimize) {
      this.#lastOptimize = now;
      this.#commits.clear();
    }
    if (vacuum) this.#lastVacuum = now;
    const db = await createDuckDB();
    try {
      for (const name of optimize || vacuum ? tables : [...packing]) {
        const started = Date.now();
        try {
          const table = await DeltaTable.open(lakeTablePath(this.dataDir, name), { sql: db });
          const targetFileSize = optimize
            ? (this.options.targetFileBytes ?? 32 * 1024 * 1024)
            : packing.has(name)
              ? (this.options.packSmallFileBytes ?? 4 * 1024 * 1024)
              : undefined;
          if (targetFileSize !== undefined) this.#commits.delete(name);
          const packed =
            targetFileSize !== undefined ? await table.optimize({ targetFileSize, tiered: true }) : undefined;
          const deleted = vacuum ? await table.vacuum() : [];
          if ((packed?.filesRemoved ?? 0) > 0 || deleted.length > 0)
            // The periodic upkeep at info; packing after commits (every ~30 s per busy table) at debug.
            this.logger[optimize || vacuum ? 'info' : 'debug'](
              {
                table: name,
                filesPacked: packed?.filesRemoved ?? 0,
                filesWritten: packed?.filesAdded ?? 0,
                filesVacuumed: deleted.length,
                ms: Date.now() - started,
              },
              'pipelines_table_maintained',
            );
        } catch (error) {
          if (error instanceof TableNotFoundError) continue; // not written yet
          // An optimisation: a conflict or a failure is tried again at the next period.
          this.logger.warn({ err: error, table: name }, 'pipelines_table_maintenance_failed');
        }
      }
    } finally {
      db.close();
    }
    return true;
  }
}
