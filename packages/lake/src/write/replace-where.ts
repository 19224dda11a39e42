// Replace-where: in ONE commit, delete the rows matching a condition (copy-on-write) and add new rows, with
// any number of txn markers. Incremental writers use it for merge/upsert and partition replacement, so a crash
// leaves either the old rows or the new ones, and a rerun of a recorded batch commits nothing.
import { rm } from 'node:fs/promises';
import type { Sql } from '../duckdb/sql.js';
import { InvalidInputError } from '../errors.js';
import type { Action, AddAction, MetadataAction, ProtocolAction, TxnAction } from '../log/actions.js';
import { fileKey } from '../log/log-replay.js';
import { checkWritable, isAppendOnly } from '../log/protocol-check.js';
import { skipFiles } from '../scan/data-skipping.js';
import { predicateToSql, type Predicate } from '../scan/predicate.js';
import { planScan } from '../scan/scan-sql.js';
import type { Snapshot } from '../snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Maintenance } from './background-maintenance.js';
import { afterCommit, commitInfo, deleteUncommitted, removeOf } from './commit-support.js';
import { checkColumns, protocolFor, schemaOf, type ColumnSpec } from './create-table.js';
import { writeDataFiles } from './data-writer.js';
import { sourceSelect, type RowSource } from './row-source.js';
import { commit, type CommitResult } from './transaction.js';

/** Options of a replace-where. */
export interface ReplaceOptions {
  /**
   * Rows to delete: SQL over the table's columns (it may reference temp tables of the table's DuckDB
   * connection), a Predicate, or `all`. Omitted: delete nothing (a plain append with several txns).
   */
  where?: string | Predicate | 'all';
  /** With a SQL `where`: only files this predicate may match are considered (data skipping). */
  skip?: Predicate;
  /** Exactly-once markers; when the table has seen every one of them (same or later version) nothing is written. */
  txns?: readonly { appId: string; version: number }[];
  /**
   * An optimistic lock: when the table's marker for `appId` is already at `version` or later, another writer
   * committed this step first — nothing is written (`already-committed`), whatever the other markers say. (Two
   * runs that read the same state but pinned different input versions would otherwise both commit.)
   */
  fence?: { appId: string; version: number };
  /**
   * Overwrite with a new schema (Delta's `overwriteSchema`): only with `where: 'all'`; the same commit carries
   * the new metaData (columns, partition columns; id and properties kept), so readers switch atomically.
   */
  schema?: { columns: readonly ColumnSpec[]; partitionColumns?: readonly string[] };
}

/** Deletes `where` and appends `source` in one commit. */
export async function replaceWhere(
  store: ObjectStore,
  sql: Sql,
  snapshot: Snapshot,
  source: RowSource,
  options: ReplaceOptions = {},
  maintenance: Maintenance = 'inline',
): Promise<CommitResult & { deletedRows: number }> {
  checkWritable(snapshot.protocol, snapshot.metadata);
  const txns: TxnAction[] = (options.txns ?? []).map((t) => ({
    appId: t.appId,
    version: t.version,
    lastUpdated: Date.now(),
  }));
  const seen = (t: { appId: string; version: number }): boolean =>
    (snapshot.txns.get(t.appId)?.version ?? -Infinity) >= t.version;
  if ((options.fence !== undefined && seen(options.fence)) || (txns.length > 0 && txns.every(seen))) {
    return { status: 'already-committed', version: snapshot.version, deletedRows: 0 };
  }
  const where = options.where;
  const target = options.schema ? overwrittenLayout(snapshot, options.schema, where) : undefined;
  if (where !== undefined && isAppendOnly(snapshot.metadata))
    throw new InvalidInputError('table is append-only (delta.appendOnly=true); replace is not allowed');
  const condition =
    where === undefined
      ? 'FALSE'
      : where === 'all'
        ? 'TRUE'
        : typeof where === 'string'
          ? `(${where})`
          : predicateToSql(where);
  const skip = typeof where === 'object' ? where : options.skip;
  const candidates =
    where === undefined
      ? []
      : skip
        ? skipFiles(snapshot.files, skip, snapshot.schema.fields, snapshot.partitionColumns)
        : [...snapshot.files];
  const removed: AddAction[] = [];
  const adds: AddAction[] = [];
  let deletedRows = 0;
  const { select, tempDir } = await sourceSelect(sql, target?.schema ?? snapshot.schema, source);
  try {
    for (const file of candidates) {
      const scan = (await planScan(store, sql, { ...snapshot, files: [file] } as Snapshot)).sql;
      const [counts] = await sql.all(
        `SELECT count(*) FILTER (WHERE COALESCE(${condition}, FALSE)) AS hit, count(*) AS total FROM (${scan})`,
      );
      const hit = Number(counts?.['hit'] ?? 0);
      if (hit === 0) continue;
      deletedRows += hit;
      removed.push(file);
      if (hit < Number(counts?.['total'] ?? 0))
        adds.push(
          ...(await writeDataFiles(
            store,
            sql,
            snapshot,
            `SELECT * FROM (${scan}) WHERE NOT COALESCE(${condition}, FALSE)`,
          )),
        );
    }
    adds.push(...(await writeDataFiles(store, sql, target ?? snapshot, select)));
  } finally {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
  const now = Date.now();
  const actions: Action[] = [
    ...(target?.protocol ? [{ protocol: target.protocol }] : []),
    ...(target ? [{ metaData: target.metadata }] : []),
    ...txns.map((txn) => ({ txn })),
    ...removed.map((f) => removeOf(f, now)),
    ...adds.map((add) => ({ add })),
  ];
  const rows = adds.reduce((n, a) => n + Number(JSON.parse(a.stats ?? '{}').numRecords ?? 0), 0);
  const result = await commit(
    store,
    snapshot.version,
    actions,
    {
      files: new Set(candidates.map(fileKey)),
      // Conservative: any concurrent data added to a table we rewrite by condition is a conflict (retried from a fresh snapshot).
      predicate: where === undefined ? undefined : typeof where === 'object' ? where : 'all',
      fields: snapshot.schema.fields,
      partitionColumns: snapshot.partitionColumns,
    },
    () =>
      commitInfo(
        where === undefined ? 'WRITE' : 'REPLACE WHERE',
        { predicate: [condition], ...(target ? { overwriteSchema: true } : {}) },
        snapshot.version,
        where === undefined,
        {
          numRemovedFiles: removed.length,
          numAddedFiles: adds.length,
          numDeletedRows: deletedRows,
          numOutputRows: rows,
        },
      ),
    // A lost race is ours to give up when the winner carries the fence (or the first marker) at our version.
    options.fence ? { ...options.fence, lastUpdated: Date.now() } : txns[0],
  );
  if (result.status === 'already-committed')
    await deleteUncommitted(
      store,
      adds.map((a) => a.path),
    );
  else await afterCommit(store, sql, result.version, target?.metadata ?? snapshot.metadata, maintenance);
  return { ...result, deletedRows };
}

/** The new schema, metaData and (when the columns need a higher one) protocol of a schema overwrite. */
function overwrittenLayout(
  snapshot: Snapshot,
  next: NonNullable<ReplaceOptions['schema']>,
  where: ReplaceOptions['where'],
) {
  if (where !== 'all') throw new InvalidInputError("a schema overwrite replaces the whole table: use where 'all'");
  if (snapshot.columnMapping !== 'none')
    throw new InvalidInputError('a schema overwrite of a table with column mapping is not supported by Lens', {
      mode: snapshot.columnMapping,
    });
  const partitionColumns = [...(next.partitionColumns ?? snapshot.partitionColumns)];
  checkColumns(next.columns, partitionColumns);
  const schema = schemaOf(next.columns);
  const needed = protocolFor(schema);
  const current = snapshot.protocol;
  const union = (...lists: (readonly string[] | undefined)[]) => [...new Set(lists.flatMap((l) => l ?? []))];
  const protocol: ProtocolAction | undefined =
    needed.minWriterVersion > current.minWriterVersion || needed.minReaderVersion > current.minReaderVersion
      ? {
          minReaderVersion: Math.max(needed.minReaderVersion, current.minReaderVersion),
          minWriterVersion: Math.max(needed.minWriterVersion, current.minWriterVersion),
          readerFeatures: union(current.readerFeatures, needed.readerFeatures),
          // Writer version 2 implied appendOnly and invariants; as table features they must be listed explicitly.
          writerFeatures: union(
            current.minWriterVersion < 7 ? ['appendOnly', 'invariants'] : [],
            current.writerFeatures,
            needed.writerFeatures,
          ),
        }
      : undefined;
  const metadata: MetadataAction = { ...snapshot.metadata, schemaString: JSON.stringify(schema), partitionColumns };
  return { schema, partitionColumns, metadata, protocol };
}
