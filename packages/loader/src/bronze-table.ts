// One bronze table as the loader sees it: created on first use, its per-partition exactly-once markers (Delta
// txn appId `lens-loader:<table>:p<N>:<partition identity>`, version = next log offset), and a fenced append of one
// batch.
import { join } from 'node:path';
import { DeltaTable, STREAMING_TABLE_PROPERTIES, type RowSource, type Sql } from '@lens/lake';
import { BRONZE_TABLES, type BronzeTableKey } from './bronze-schema.js';
import { withCommitLock } from './commit-lock.js';
import { eventsSelect, EVENTS_SELECT_COLUMNS, readableOffsetsSelect } from './events-ndjson.js';
import { BronzeSchemaError, PartitionOwnershipLostError } from './errors.js';
import { lakeTablePath } from './lake-table-path.js';

/** Wraps a Sql so statements run one at a time: a DuckDB connection must not run two queries at once. */
export function serialSql(sql: Sql): Sql {
  let tail: Promise<unknown> = Promise.resolve();
  const queue = <T>(run: () => Promise<T>): Promise<T> => {
    const next = tail.then(run, run);
    tail = next.catch(() => undefined);
    return next;
  };
  return {
    all: (q) => queue(() => sql.all(q)),
    run: (q) => queue(() => sql.run(q)),
    describe: (q) => queue(() => sql.describe(q)),
  };
}

/** A bronze table opened (and created if missing) for loading. */
export class BronzeTable {
  private constructor(
    readonly key: BronzeTableKey,
    readonly name: string,
    readonly table: DeltaTable,
    readonly lockDir: string,
    private readonly sql: Sql,
  ) {}

  /** Opens `bronze.<key>` under `dataDir`, creating it with the loader's schema if it does not exist. */
  static async open(
    dataDir: string,
    key: BronzeTableKey,
    sql: Sql,
    lockDir = join(dataDir, 'loader', 'locks'),
  ): Promise<BronzeTable> {
    const spec = BRONZE_TABLES[key];
    const table = await DeltaTable.open(lakeTablePath(dataDir, spec.name), { sql, maintenance: 'background' });
    // A table created before Lens chose them gets the properties of a table committed to every second.
    const snapshot = await table.ensureCreated({
      columns: spec.columns,
      partitionColumns: [spec.partitionBy],
      name: spec.name,
      description: `Lens ${spec.name}, written by the loader`,
      properties: STREAMING_TABLE_PROPERTIES,
    });
    const have = snapshot.schema.fields.map((f) => f.name);
    const missing = spec.columns.filter((c) => !have.includes(c.name)).map((c) => c.name);
    if (missing.length > 0) throw new BronzeSchemaError(spec.name, `missing columns ${missing.join(', ')}`);
    return new BronzeTable(key, spec.name, table, lockDir, sql);
  }

  /** The log offsets of the lines of an events batch file the lake engine can read (see readableOffsetsSelect). */
  async readableEventOffsets(ndjsonFile: string): Promise<Set<number>> {
    const rows = await this.sql.all(readableOffsetsSelect(ndjsonFile));
    return new Set(rows.map((row) => Number(row['o'])));
  }

  /**
   * The exactly-once application id of a partition of the log: keyed by the partition's identity (EventLog.identity),
   * so the positions of a former log (its directory replaced) are never applied to a new one. Without an identity
   * (an adapter that has none), the form markers had before identities existed.
   */
  appId(partition: number, identity: string | undefined): string {
    return identity === undefined ? this.#legacyAppId(partition) : `${this.#legacyAppId(partition)}:${identity}`;
  }

  #legacyAppId(partition: number): string {
    return `lens-loader:${this.name}:p${partition}`;
  }

  /** Next log offset this table expects from the partition, or undefined when it never loaded it (see `marker`). */
  async position(partition: number, identity?: string): Promise<number | undefined> {
    return this.marker(await this.latestTxns(), partition, identity).version;
  }

  /** The txn actions of the table's latest snapshot: the markers `marker` and `holdsOtherIdentity` read. */
  async latestTxns(): Promise<ReadonlyMap<string, { version: number }>> {
    return (await this.table.snapshot()).txns;
  }

  /**
   * Whether `txns` hold a marker of the partition under an identity other than `identity`: a former log of that
   * partition was loaded by a Lens that had identities, so any marker from before identities is about a log older
   * still, not this one.
   */
  holdsOtherIdentity(
    txns: ReadonlyMap<string, { version: number }>,
    partition: number,
    identity: string | undefined,
  ): boolean {
    if (identity === undefined) return false;
    const own = this.appId(partition, identity);
    const prefix = `${this.#legacyAppId(partition)}:`;
    for (const appId of txns.keys()) if (appId.startsWith(prefix) && appId !== own) return true;
    return false;
  }

  /**
   * This table's marker for the partition with `identity`: its own (`this-log`); else, when the table has a marker
   * from before identities existed and no bronze table has one of another identity, that one (`adopted`: a lake
   * loaded by an earlier Lens, read from the same log); else none — `other-log` when markers of other identities
   * exist, in this table or (`otherLog`, see `holdsOtherIdentity`) in another bronze table: the log was replaced,
   * its records load from its start. A table whose marker of the earlier form never moved after an upgrade (it had
   * no rows before the loader stopped) must not apply it to a log that replaced the upgraded one.
   */
  marker(
    txns: ReadonlyMap<string, { version: number }>,
    partition: number,
    identity: string | undefined,
    otherLog = false,
  ): { version?: number; origin: 'this-log' | 'adopted' | 'other-log' | 'none' } {
    const own = txns.get(this.appId(partition, identity))?.version;
    if (own !== undefined) return { version: own, origin: 'this-log' };
    if (identity === undefined) return { origin: 'none' };
    if (otherLog || this.holdsOtherIdentity(txns, partition, identity)) return { origin: 'other-log' };
    const legacy = txns.get(this.#legacyAppId(partition))?.version;
    return legacy === undefined ? { origin: 'none' } : { version: legacy, origin: 'adopted' };
  }

  /**
   * Commits one batch (`ndjsonFile`: event lines for events, rows for quarantine; none just moves the marker) covering log offsets [from, to).
   * Fenced: if the table's marker is not `from` any more, another instance moved it and nothing is written.
   * Check and commit happen under the partition's commit lock, so two instances cannot both pass the check.
   * @throws PartitionOwnershipLostError when the marker moved, or the commit came back already-committed.
   */
  async commitBatch(
    partition: number,
    from: number,
    to: number,
    ndjsonFile: string | undefined,
    identity?: string,
    otherLog = false,
  ): Promise<number> {
    return withCommitLock(this.lockDir, partition, () =>
      this.#fencedAppend(partition, identity, otherLog, from, to, ndjsonFile),
    );
  }

  async #fencedAppend(
    partition: number,
    identity: string | undefined,
    otherLog: boolean,
    from: number,
    to: number,
    ndjsonFile: string | undefined,
  ): Promise<number> {
    // One snapshot for the fence and the append (loading one per commit is a visible part of the loader's cost).
    const snapshot = await this.table.snapshot();
    const seen = this.marker(snapshot.txns, partition, identity, otherLog).version;
    if (seen !== undefined && seen !== from) {
      throw new PartitionOwnershipLostError(partition, `${this.name} is at ${seen}, this batch starts at ${from}`, {
        table: this.name,
        seen,
        from,
      });
    }
    const source: RowSource =
      ndjsonFile === undefined
        ? { rows: [] }
        : this.key === 'events'
          ? { sql: eventsSelect(ndjsonFile), columns: EVENTS_SELECT_COLUMNS }
          : { ndjsonFile };
    const result = await this.table.append(source, {
      txn: { appId: this.appId(partition, identity), version: to },
      snapshot,
    });
    if (result.status === 'already-committed') {
      throw new PartitionOwnershipLostError(partition, `${this.name} already has offsets up to ${to}`, {
        table: this.name,
        to,
      });
    }
    return result.version;
  }
}
