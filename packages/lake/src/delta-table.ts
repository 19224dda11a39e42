// DeltaTable: the entry point callers use — open a table on a path or ObjectStore, load snapshots (latest,
// by version, by timestamp), scan them through DuckDB, read history. Writes live in `write/`.
import { createDuckDB, sharedDuckDB, type Sql, type SqlRow } from './duckdb/sql.js';
import { versionAtTimestamp } from './log/commit-timestamps.js';
import { planScan, type ScanOptions, type ScanPlan } from './scan/scan-sql.js';
import { loadSnapshot, type Snapshot } from './snapshot.js';
import { createFsObjectStore } from './storage/fs/fs-object-store.js';
import type { ObjectStore } from './storage/object-store.js';

/** Which snapshot to read: latest by default. */
export interface SnapshotSelector {
  version?: number;
  /** Latest version committed at or before this instant. */
  timestamp?: Date | string;
}

/** Options for opening a table. */
export interface OpenOptions {
  /** SQL engine for Parquet I/O; defaults to a process-wide in-memory DuckDB. */
  sql?: Sql;
}

/**
 * A Delta table at a location.
 *
 * @example
 * const table = await DeltaTable.open('./lens-data/bronze/events');
 * const rows = await table.query({ predicate: where.between('ts', '2026-01-01', '2026-01-02') });
 */
export class DeltaTable {
  private constructor(readonly store: ObjectStore, readonly sql: Sql) {}

  /** Opens (without reading) the table at a directory or on an ObjectStore. */
  static async open(location: string | ObjectStore, options: OpenOptions = {}): Promise<DeltaTable> {
    const store = typeof location === 'string' ? createFsObjectStore(location) : location;
    return new DeltaTable(store, options.sql ?? (await sharedDuckDB()));
  }

  /** Loads a snapshot (latest, a version, or the version current at a timestamp). */
  async snapshot(selector: SnapshotSelector = {}): Promise<Snapshot> {
    let version = selector.version;
    if (selector.timestamp !== undefined) {
      const latest = await loadSnapshot(this.store, this.sql);
      const ict = latest.metadata.configuration['delta.enableInCommitTimestamps'] === 'true';
      version = await versionAtTimestamp(this.store, new Date(selector.timestamp), ict);
      if (version === latest.version) return latest;
    }
    return loadSnapshot(this.store, this.sql, version);
  }

  /** The DuckDB SELECT over a snapshot's rows (after data skipping with `predicate`). */
  async scan(options: ScanOptions & SnapshotSelector = {}): Promise<ScanPlan> {
    return planScan(this.store, this.sql, await this.snapshot(options), options);
  }

  /** Reads a snapshot's rows (plain JS values; BIGINT as bigint). */
  async query(options: ScanOptions & SnapshotSelector = {}): Promise<SqlRow[]> {
    return this.sql.all((await this.scan(options)).sql);
  }
}

export { createDuckDB };
