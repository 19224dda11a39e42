// Builds one DuckDB SELECT over a snapshot's live files: read_parquet over the file list, partition values
// joined in as typed constants, column mapping undone, deletion-vector rows anti-joined away.
import { readDeletionVector } from '../dv/deletion-vector.js';
import type { Sql } from '../duckdb/sql.js';
import { UnsupportedFeatureError, VersionNotFoundError } from '../errors.js';
import type { AddAction } from '../log/actions.js';
import { canonicalPath } from '../log/log-replay.js';
import { partitionValueSql } from '../schema/partition-values.js';
import { physicalName, quoteIdent, quoteLiteral, toDuckDBType } from '../schema/delta-schema.js';
import type { Snapshot } from '../snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
import { projectColumn } from './column-projection.js';
import { skipFiles } from './data-skipping.js';
import { firstMissingFile } from './missing-file.js';
import { predicateToSql, type Predicate } from './predicate.js';

/** Options of a scan. */
export interface ScanOptions {
  /** Rows must satisfy it; files whose stats prove they cannot are not read. */
  predicate?: Predicate;
  /**
   * False: the predicate only skips files, rows are not filtered by it (for SQL that applies its own conditions,
   * with its own literal types: `day < TIMESTAMP '… 12:00'` is not `day < '… 12:00'`). Default true.
   */
  filterRows?: boolean;
}

/** The SQL of a scan and how many files data skipping kept. */
export interface ScanPlan {
  sql: string;
  filesRead: number;
  filesTotal: number;
}

/** Builds the SELECT reading a snapshot's rows (logical column names, schema order). */
export async function planScan(
  store: ObjectStore,
  sql: Sql,
  snapshot: Snapshot,
  options: ScanOptions = {},
): Promise<ScanPlan> {
  const fields = snapshot.schema.fields.filter((f) => f.type !== 'void');
  const files = options.predicate
    ? skipFiles(snapshot.files, options.predicate, fields, snapshot.partitionColumns)
    : [...snapshot.files];
  const where = options.predicate && options.filterRows !== false ? ` WHERE ${predicateToSql(options.predicate)}` : '';
  if (files.length === 0) {
    const cols = fields.map((f) => `CAST(NULL AS ${toDuckDBType(f.type)}) AS ${quoteIdent(f.name)}`);
    return { sql: `SELECT ${cols.join(', ')} WHERE FALSE`, filesRead: 0, filesTotal: snapshot.files.length };
  }
  const located = files.map((f) => ({ file: f, location: locate(store, f) }));
  const list = `[${located.map((l) => quoteLiteral(l.location)).join(', ')}]`;
  const withDv = located.filter((l) => l.file.deletionVector);
  const partitioned = snapshot.partitionColumns.length > 0;
  const opts = `union_by_name = true${partitioned || withDv.length ? `, filename = '__lens_file'` : ''}${withDv.length ? ', file_row_number = true' : ''}`;
  const reader = `read_parquet(${list}, ${opts})`;
  const physical = new Map((await describeFiles(store, sql, snapshot, files, reader)).map((c) => [c.name, c.type]));
  const mapped = snapshot.columnMapping !== 'none';
  const select = fields.map((f) =>
    snapshot.partitionColumns.includes(f.name) ? `__p.${quoteIdent(f.name)}` : projectColumn(f, physical, mapped),
  );
  let from = `${reader} AS __d`;
  if (partitioned) {
    const rows = located.map((l) => {
      const values = snapshot.partitionFields.map((pf) =>
        partitionValueSql(l.file.partitionValues[physicalName(pf)] ?? l.file.partitionValues[pf.name], pf.type),
      );
      return `(${[quoteLiteral(l.location), ...values].join(', ')})`;
    });
    const names = ['__f', ...snapshot.partitionFields.map((pf) => quoteIdent(pf.name))].join(', ');
    from += ` JOIN (VALUES ${rows.join(', ')}) AS __p(${names}) ON __d.__lens_file = __p.__f`;
  }
  if (withDv.length > 0) {
    const deleted = await Promise.all(
      withDv.map(async (l) => {
        const rows = await readDeletionVector(store, l.file.deletionVector!);
        return `SELECT ${quoteLiteral(l.location)} AS f, unnest([${rows.join(',')}]::BIGINT[]) AS r`;
      }),
    );
    from += ` ANTI JOIN (${deleted.join(' UNION ALL ')}) AS __dv ON __d.__lens_file = __dv.f AND __d.file_row_number = __dv.r`;
  }
  const inner = `SELECT ${select.join(', ')} FROM ${from}`;
  return {
    sql: where ? `SELECT * FROM (${inner})${where}` : inner,
    filesRead: files.length,
    filesTotal: snapshot.files.length,
  };
}

/**
 * The physical columns of the files. DuckDB fails on the first missing file with its own words ("No files found
 * that match the pattern"): a version whose files VACUUM has deleted is named as such instead.
 */
async function describeFiles(
  store: ObjectStore,
  sql: Sql,
  snapshot: Snapshot,
  files: readonly AddAction[],
  reader: string,
): Promise<{ name: string; type: string }[]> {
  try {
    return await sql.describe(`SELECT * FROM ${reader}`);
  } catch (error) {
    const gone = await firstMissingFile(store, files);
    if (gone === undefined) throw error;
    throw new VersionNotFoundError(
      `version ${snapshot.version} of ${store.description} can no longer be read: its data file ${gone} is gone ` +
        `(deleted by VACUUM once past the retention, or outside Delta)`,
      { table: store.description, version: snapshot.version, file: gone },
    );
  }
}

/** Where DuckDB reads a data file: relative paths are URL-encoded keys under the table root. */
function locate(store: ObjectStore, file: AddAction): string {
  const path = canonicalPath(file.path);
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
    if (path.startsWith('file:')) return path.replace(/^file:(\/\/)?/, '');
    return path;
  }
  const location = store.readableLocation(path);
  if (location === undefined)
    throw new UnsupportedFeatureError('scan', `DuckDB cannot read files of store ${store.description}`);
  return location;
}
