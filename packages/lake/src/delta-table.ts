// DeltaTable: the entry point callers use — open a table on a path or ObjectStore, load snapshots (latest,
// by version, by timestamp), scan them through DuckDB, read history. Writes live in `write/`.
import { createDuckDB, sharedDuckDB, type Sql, type SqlRow } from './duckdb/sql.js';
import { versionAtTimestamp } from './log/commit-timestamps.js';
import { planScan, type ScanOptions, type ScanPlan } from './scan/scan-sql.js';
import { loadSnapshot, snapshotCacheFor, type Snapshot, type SnapshotCache } from './snapshot.js';
import { createFsObjectStore } from './storage/fs/fs-object-store.js';
import type { ObjectStore } from './storage/object-store.js';
import type { Predicate } from './scan/predicate.js';
import { addColumns } from './write/add-columns.js';
import { setProperties } from './write/set-properties.js';
import { appendRows, type AppendOptions } from './write/append.js';
import { createTable, type ColumnSpec, type CreateTableOptions } from './write/create-table.js';
import { deleteWhere } from './write/delete-where.js';
import { history, type HistoryEntry } from './write/history.js';
import { optimize, type OptimizeOptions, type OptimizeResult } from './write/optimize.js';
import type { RowSource } from './write/row-source.js';
import type { CommitResult } from './write/transaction.js';
import { vacuum, type VacuumOptions } from './write/vacuum.js';
import { writeCheckpoint } from './write/checkpoint-writer.js';
import type { Maintenance } from './write/background-maintenance.js';
import { ConcurrentModificationError, TableNotFoundError, VersionNotFoundError } from './errors.js';
import type { AddAction } from './log/actions.js';
import { readChanges, removedAsAdd, type TableChanges } from './log/table-changes.js';
import { buildLogSegment } from './log/log-segment.js';
import { firstMissingFile } from './scan/missing-file.js';
import { replaceWhere, type ReplaceOptions } from './write/replace-where.js';

/** Which snapshot to read: latest by default. */
export interface SnapshotSelector {
  version?: number;
  /** Latest version committed at or before this instant. */
  timestamp?: Date | string;
}

/**
 * Properties for a table committed to every second or so (bronze, continuous silver, run history, served lists):
 * - a checkpoint every 100 commits instead of Delta's 10. A checkpoint holds the whole state, tombstones included
 *   — a week of a busy table's compactions is ~600,000 of them, ~25 MB, seconds to write whole — while a reader replays
 *   at most 100 small commits after it;
 * - log files kept 7 days instead of 30, as long as VACUUM keeps removed data files (a version older than that
 *   cannot be read once VACUUM ran anyway): a file per commit is ~600,000 files in `_delta_log`, not ~2.6 M.
 */
export const STREAMING_TABLE_PROPERTIES: Readonly<Record<string, string>> = {
  'delta.checkpointInterval': '100',
  'delta.logRetentionDuration': 'interval 7 days',
};

/** Options for opening a table. */
export interface OpenOptions {
  /** SQL engine for Parquet I/O; defaults to a process-wide in-memory DuckDB. */
  sql?: Sql;
  /**
   * Where this instance's writes checkpoint and clean the log when due: `inline` (default) inside the write, or
   * `background`, after it returns (for tables committed to every second: see write/background-maintenance.ts).
   */
  maintenance?: Maintenance;
}

/**
 * A Delta table at a location.
 *
 * @example
 * const table = await DeltaTable.open('./lens-data/bronze/events');
 * const rows = await table.query({ predicate: where.between('ts', '2026-01-01', '2026-01-02') });
 */
export class DeltaTable {
  readonly #cache: SnapshotCache | undefined;

  private constructor(
    readonly store: ObjectStore,
    readonly sql: Sql,
    readonly maintenance: Maintenance = 'inline',
  ) {
    this.#cache = snapshotCacheFor(store);
  }

  /** Opens (without reading) the table at a directory or on an ObjectStore. */
  static async open(location: string | ObjectStore, options: OpenOptions = {}): Promise<DeltaTable> {
    const store = typeof location === 'string' ? createFsObjectStore(location) : location;
    return new DeltaTable(store, options.sql ?? (await sharedDuckDB()), options.maintenance);
  }

  /** Loads a snapshot (latest, a version, or the version current at a timestamp). */
  async snapshot(selector: SnapshotSelector = {}): Promise<Snapshot> {
    let version = selector.version;
    if (selector.timestamp !== undefined) {
      const latest = await loadSnapshot(this.store, this.sql, undefined, this.#cache);
      const ict = latest.metadata.configuration['delta.enableInCommitTimestamps'] === 'true';
      version = await versionAtTimestamp(this.store, new Date(selector.timestamp), ict);
      if (version === latest.version) return latest;
    }
    return loadSnapshot(this.store, this.sql, version, this.#cache);
  }

  /** The DuckDB SELECT over a snapshot's rows (after data skipping with `predicate`). */
  async scan(options: ScanOptions & SnapshotSelector = {}): Promise<ScanPlan> {
    return planScan(this.store, this.sql, await this.snapshot(options), options);
  }

  /** Reads a snapshot's rows (plain JS values; BIGINT as bigint). */
  async query(options: ScanOptions & SnapshotSelector = {}): Promise<SqlRow[]> {
    return this.sql.all((await this.scan(options)).sql);
  }

  /** Creates the table (version 0); fails if one exists. */
  async create(options: CreateTableOptions): Promise<CommitResult> {
    return createTable(this.store, this.sql, options);
  }

  /**
   * The latest snapshot of a table a Lens role owns (bronze.*, lens.runs, quarantines, served lists): the table
   * is created with `options` when there is none — another writer creating it first is no error —, and an existing
   * one gets those of `options.properties` it lacks (it was created before Lens chose them). Its schema is the
   * caller's to check.
   */
  async ensureCreated(options: CreateTableOptions): Promise<Snapshot> {
    let snapshot: Snapshot;
    try {
      snapshot = await this.snapshot();
    } catch (error) {
      if (!(error instanceof TableNotFoundError)) throw error;
      try {
        await this.create(options);
      } catch (raced) {
        // Lost the race (the version-0 put, or the existence check after it): the other writer's table will do.
        const created = await this.snapshot().then(
          () => true,
          () => false,
        );
        if (!created) throw raced;
      }
      snapshot = await this.snapshot();
    }
    if (options.properties !== undefined && (await this.ensureProperties(options.properties, snapshot)) !== undefined)
      snapshot = await this.snapshot();
    return snapshot;
  }

  /**
   * Appends rows (or overwrites, with `mode: 'overwrite'`). With `txn`, a batch already committed under
   * that appId/version returns `{ status: 'already-committed' }` and writes nothing.
   *
   * @example
   * await table.append({ rows: [{ ts: new Date(), name: 'click' }] }, { txn: { appId: 'loader-1', version: 42 } });
   */
  async append(source: RowSource, options: AppendOptions = {}): Promise<CommitResult> {
    let given = options.snapshot;
    return this.#withRetry(async () => {
      const snapshot = given ?? (await this.snapshot());
      given = undefined; // a retry builds on a fresh snapshot
      return appendRows(this.store, this.sql, snapshot, source, options, this.maintenance);
    });
  }

  /** Deletes rows matching a predicate (or SQL text), rewriting the files that held them. */
  async delete(where: Predicate | string): Promise<CommitResult & { deletedRows: number }> {
    return this.#withRetry(async () =>
      deleteWhere(this.store, this.sql, await this.snapshot(), where, this.maintenance),
    );
  }

  /** Bin-packs small files per partition (dataChange=false). */
  async optimize(options: OptimizeOptions = {}): Promise<OptimizeResult> {
    return this.#withRetry(async () =>
      optimize(this.store, this.sql, await this.snapshot(), options, this.maintenance),
    );
  }

  /** Sets table properties (ALTER TABLE … SET TBLPROPERTIES); values Lens reads are checked first. */
  async setProperties(properties: Readonly<Record<string, string>>): Promise<CommitResult> {
    return this.#withRetry(async () => setProperties(this.store, await this.snapshot(), properties));
  }

  /**
   * Sets those of `properties` the table does not have yet (a table created before Lens chose them keeps any value
   * it was given); returns the new version, or undefined when nothing was missing. With the caller's `snapshot`,
   * a table that has them all is not read again (Prism checks its output at every run).
   */
  async ensureProperties(properties: Readonly<Record<string, string>>, given?: Snapshot): Promise<number | undefined> {
    let first = given;
    return this.#withRetry(async () => {
      const snapshot = first ?? (await this.snapshot());
      first = undefined; // a retry builds on a fresh snapshot
      const missing = Object.fromEntries(
        Object.entries(properties).filter(([k]) => snapshot.metadata.configuration[k] === undefined),
      );
      if (Object.keys(missing).length === 0) return undefined;
      return (await setProperties(this.store, snapshot, missing)).version;
    });
  }

  /** Adds nullable columns. */
  async addColumns(columns: readonly ColumnSpec[]): Promise<CommitResult> {
    return this.#withRetry(async () => addColumns(this.store, await this.snapshot(), columns));
  }

  /** Deletes unreferenced data files older than the retention; returns their keys. */
  async vacuum(options: VacuumOptions = {}): Promise<string[]> {
    const listed = await this.store.list(''); // before the snapshot: a file committed meanwhile is in it
    return vacuum(this.store, await this.snapshot(), options, listed, this.sql);
  }

  /** Writes a checkpoint of the latest version now (normally done every `delta.checkpointInterval` commits). */
  async checkpoint(): Promise<number> {
    const snapshot = await this.snapshot();
    await writeCheckpoint(this.store, this.sql, snapshot);
    return snapshot.version;
  }

  /**
   * The data files commits `fromVersion`+1..`toVersion` added and removed (dataChange only), for incremental
   * readers. Read the rows with `scanFiles`.
   *
   * @example
   * const c = await table.changes(lastSeen, (await table.snapshot()).version);
   * const rows = await table.sql.all((await table.scanFiles(c.added, c.toVersion)).sql);
   */
  async changes(fromVersion: number, toVersion: number): Promise<TableChanges> {
    const changes = await readChanges(this.store, fromVersion, toVersion);
    // A file added in the range may since have been replaced by a compaction (not a data change, so still listed)
    // and deleted by VACUUM once past the retention: its rows can no longer be read, so neither can the changes.
    const gone = await firstMissingFile(this.store, [...changes.added, ...changes.removed]);
    if (gone !== undefined)
      throw new VersionNotFoundError(
        `the changes of ${this.store.description} after version ${fromVersion} are no longer readable: ${gone} was vacuumed (read the whole table instead)`,
        { table: this.store.description, fromVersion, toVersion, file: gone },
      );
    return changes;
  }

  /**
   * The DuckDB SELECT over just these files (adds, or removes from `changes`), with the schema of `version`.
   * Removed files stay readable until VACUUM deletes them.
   */
  async scanFiles(
    files: readonly (AddAction | TableChanges['removed'][number])[],
    version?: number,
  ): Promise<ScanPlan> {
    const snapshot = await this.snapshot(version === undefined ? {} : { version });
    const adds = files.map((f) => ('modificationTime' in f ? f : removedAsAdd(f)));
    return planScan(this.store, this.sql, { ...snapshot, files: adds } as Snapshot);
  }

  /**
   * Deletes the rows matching `where` and appends `source` in one commit, with any number of txn markers
   * (all seen already: nothing is written). The building block of merge/upsert and partition replacement.
   *
   * @example
   * await table.replace({ sql: 'SELECT * FROM staged' }, { where: 'id IN (SELECT id FROM staged)', txns: [{ appId: 'job', version: 7 }] });
   */
  async replace(source: RowSource, options: ReplaceOptions = {}): Promise<CommitResult & { deletedRows: number }> {
    return this.#withRetry(async () =>
      replaceWhere(this.store, this.sql, await this.snapshot(), source, options, this.maintenance),
    );
  }

  /** commitInfo per version, newest first. */
  async history(limit?: number): Promise<HistoryEntry[]> {
    return history(this.store, limit);
  }

  /** A transaction that lost to a conflicting commit is redone from a fresh snapshot, up to 20 times. */
  async #withRetry<T>(attempt: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof ConcurrentModificationError) || i >= 19) throw error;
      }
    }
  }
}

export { createDuckDB };

/**
 * The newest version of the table at a directory or on an ObjectStore, from a listing of `_delta_log` alone: no
 * snapshot is loaded and no DuckDB opened, so it is cheap enough to poll.
 * @throws TableNotFoundError when there is no table.
 */
export async function latestTableVersion(location: string | ObjectStore): Promise<number> {
  const store = typeof location === 'string' ? createFsObjectStore(location) : location;
  return (await buildLogSegment(store)).version;
}
