// Append and overwrite: writes the new data files first, then commits adds (and, for overwrite, removes of
// every live file). With a `txn` (appId, version) a batch the table has already seen commits nothing.
import { rm } from 'node:fs/promises';
import type { Sql } from '../duckdb/sql.js';
import { InvalidInputError } from '../errors.js';
import type { Action, TxnAction } from '../log/actions.js';
import { fileKey } from '../log/log-replay.js';
import { checkWritable, isAppendOnly } from '../log/protocol-check.js';
import type { Snapshot } from '../snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Maintenance } from './background-maintenance.js';
import { afterCommit, commitInfo, deleteUncommitted, removeOf } from './commit-support.js';
import { writeDataFiles } from './data-writer.js';
import { sourceSelect, type RowSource } from './row-source.js';
import { commit, type CommitResult } from './transaction.js';

/** Options of an append. */
export interface AppendOptions {
  /** Exactly-once marker: commits only if this appId has not yet committed this version or a later one. */
  txn?: { appId: string; version: number };
  /** `overwrite` replaces all rows; default `append`. */
  mode?: 'append' | 'overwrite';
  /**
   * The snapshot to build on, when the caller already loaded the latest one (saves loading it again). A commit
   * made since is still detected: the first attempt then conflicts and the retries load fresh snapshots.
   */
  snapshot?: Snapshot;
}

/** Writes rows and commits them; returns the version or `already-committed` for a seen txn. */
export async function appendRows(
  store: ObjectStore,
  sql: Sql,
  snapshot: Snapshot,
  source: RowSource,
  options: AppendOptions = {},
  maintenance: Maintenance = 'inline',
): Promise<CommitResult> {
  checkWritable(snapshot.protocol, snapshot.metadata);
  const mode = options.mode ?? 'append';
  if (mode === 'overwrite' && isAppendOnly(snapshot.metadata)) {
    throw new InvalidInputError('table is append-only (delta.appendOnly=true); overwrite is not allowed');
  }
  const txn: TxnAction | undefined = options.txn && {
    appId: options.txn.appId,
    version: options.txn.version,
    lastUpdated: Date.now(),
  };
  const seen = txn && snapshot.txns.get(txn.appId);
  if (txn && seen && seen.version >= txn.version) return { status: 'already-committed', version: snapshot.version };
  const { select, tempDir } = await sourceSelect(sql, snapshot.schema, source);
  let adds;
  try {
    adds = await writeDataFiles(store, sql, snapshot, select);
  } finally {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
  const now = Date.now();
  const removes: Action[] = mode === 'overwrite' ? snapshot.files.map((f) => removeOf(f, now)) : [];
  const actions: Action[] = [...(txn ? [{ txn }] : []), ...removes, ...adds.map((add) => ({ add }))];
  const rows = adds.reduce((n, a) => n + Number(JSON.parse(a.stats ?? '{}').numRecords ?? 0), 0);
  const metrics = { numFiles: adds.length, numOutputRows: rows, numOutputBytes: adds.reduce((n, a) => n + a.size, 0) };
  const result = await commit(
    store,
    snapshot.version,
    actions,
    {
      files: new Set(mode === 'overwrite' ? snapshot.files.map(fileKey) : []),
      predicate: mode === 'overwrite' ? 'all' : undefined,
      fields: snapshot.schema.fields,
      partitionColumns: snapshot.partitionColumns,
    },
    () =>
      commitInfo(
        'WRITE',
        { mode: mode === 'overwrite' ? 'Overwrite' : 'Append', partitionBy: snapshot.partitionColumns },
        snapshot.version,
        mode === 'append',
        metrics,
      ),
    txn,
  );
  if (result.status === 'already-committed')
    await deleteUncommitted(
      store,
      adds.map((a) => a.path),
    );
  else await afterCommit(store, sql, result.version, snapshot.metadata, maintenance);
  return result;
}
