// DELETE WHERE by copy-on-write: files that may hold matching rows (after data skipping) are rewritten
// without them; files whose rows all match are just removed. Conflicts with concurrent removals of those
// files and with concurrent appends that may hold matching rows.
import type { Sql } from '../duckdb/sql.js';
import { InvalidInputError } from '../errors.js';
import type { Action, AddAction } from '../log/actions.js';
import { fileKey } from '../log/log-replay.js';
import { checkWritable, isAppendOnly } from '../log/protocol-check.js';
import { skipFiles } from '../scan/data-skipping.js';
import { predicateToSql, type Predicate } from '../scan/predicate.js';
import { planScan } from '../scan/scan-sql.js';
import type { Snapshot } from '../snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Maintenance } from './background-maintenance.js';
import { afterCommit, commitInfo, removeOf } from './commit-support.js';
import { writeDataFiles } from './data-writer.js';
import { commit, type CommitResult } from './transaction.js';

/** Deletes rows matching `where` (a Predicate, or SQL text over the logical columns: no data skipping then). */
export async function deleteWhere(
  store: ObjectStore,
  sql: Sql,
  snapshot: Snapshot,
  where: Predicate | string,
  maintenance: Maintenance = 'inline',
): Promise<CommitResult & { deletedRows: number }> {
  checkWritable(snapshot.protocol, snapshot.metadata);
  if (isAppendOnly(snapshot.metadata))
    throw new InvalidInputError('table is append-only (delta.appendOnly=true); delete is not allowed');
  const condition = typeof where === 'string' ? `(${where})` : predicateToSql(where);
  const candidates =
    typeof where === 'string'
      ? [...snapshot.files]
      : skipFiles(snapshot.files, where, snapshot.schema.fields, snapshot.partitionColumns);
  const removed: AddAction[] = [];
  const added: AddAction[] = [];
  let deletedRows = 0;
  const now = Date.now();
  for (const file of candidates) {
    const one = { ...snapshot, files: [file] } as Snapshot;
    const scan = (await planScan(store, sql, one)).sql;
    const [counts] = await sql.all(
      `SELECT count(*) FILTER (WHERE COALESCE(${condition}, FALSE)) AS hit, count(*) AS total FROM (${scan})`,
    );
    const hit = Number(counts?.['hit'] ?? 0);
    if (hit === 0) continue;
    deletedRows += hit;
    removed.push(file);
    if (hit < Number(counts?.['total'] ?? 0)) {
      added.push(
        ...(await writeDataFiles(
          store,
          sql,
          snapshot,
          `SELECT * FROM (${scan}) WHERE NOT COALESCE(${condition}, FALSE)`,
        )),
      );
    }
  }
  if (removed.length === 0) return { status: 'committed', version: snapshot.version, deletedRows: 0 };
  const actions: Action[] = [...removed.map((f) => removeOf(f, now)), ...added.map((add) => ({ add }))];
  const result = await commit(
    store,
    snapshot.version,
    actions,
    {
      files: new Set(candidates.map(fileKey)),
      predicate: typeof where === 'string' ? 'all' : where,
      fields: snapshot.schema.fields,
      partitionColumns: snapshot.partitionColumns,
    },
    () =>
      commitInfo('DELETE', { predicate: [condition] }, snapshot.version, false, {
        numRemovedFiles: removed.length,
        numAddedFiles: added.length,
        numDeletedRows: deletedRows,
      }),
  );
  await afterCommit(store, sql, result.version, snapshot.metadata, maintenance);
  return { ...result, deletedRows };
}
