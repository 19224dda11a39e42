// Commits a run's rows (__prism_out) to the output table by the dataset's update mode, in ONE Delta commit
// carrying the txn markers of the input versions it consumed, so a rerun of the same batch writes nothing.
import type { DeltaTable, Predicate, ReplaceOptions, Sql } from '@lens/lake';
import type { LoadedDataset } from '../definition/dataset-definition.js';
import { ident, literal } from './duck-types.js';
import type { ReadMode } from './input-views.js';

/** Builds the replace-where that realises `dataset.update` for this run. */
export async function commitWhere(
  db: Sql,
  dataset: LoadedDataset,
  mode: ReadMode,
  hasAffected: boolean,
): Promise<Pick<ReplaceOptions, 'where' | 'skip'>> {
  const update = dataset.update;
  if (mode.kind === 'full' || update.mode === 'full_refresh') return { where: 'all' };
  const dateColumn = dataset.dateColumn ?? dataset.partitionBy[0];
  const range =
    mode.kind === 'backfill' && dateColumn
      ? `${ident(dateColumn)} BETWEEN ${literal(mode.from)} AND ${literal(mode.to)}`
      : undefined;
  switch (update.mode) {
    case 'append':
      return range ? { where: range } : {};
    case 'merge': {
      const keys = update.keys;
      await db.run(
        `CREATE OR REPLACE TEMP TABLE __prism_keys AS SELECT DISTINCT ${keys.map((k, i) => `${ident(k)} AS __k${i}`).join(', ')} FROM __prism_out`,
      );
      const match = `EXISTS (SELECT 1 FROM __prism_keys WHERE ${keys.map((k, i) => `__k${i} IS NOT DISTINCT FROM ${ident(k)}`).join(' AND ')})`;
      return { where: range ? `(${match}) OR (${range})` : match };
    }
    case 'replace_partitions': {
      const cols = dataset.partitionBy;
      const described = hasAffected ? (await db.describe('SELECT * FROM affected')).map((c) => c.name) : [];
      const from = cols.every((c) => described.includes(c)) ? 'affected' : '__prism_out';
      await db.run(
        `CREATE OR REPLACE TEMP TABLE __prism_parts AS SELECT DISTINCT ${cols.map((c, i) => `${ident(c)}::VARCHAR AS __p${i}`).join(', ')} FROM ${from}`,
      );
      const match = `EXISTS (SELECT 1 FROM __prism_parts WHERE ${cols.map((c, i) => `__p${i} IS NOT DISTINCT FROM ${ident(c)}::VARCHAR`).join(' AND ')})`;
      const values =
        cols.length === 1 ? (await db.all('SELECT __p0 AS v FROM __prism_parts LIMIT 1001')).map((r) => r['v']) : [];
      // Data skipping on the partition values keeps untouched partitions' files unread.
      const skip: Predicate | undefined =
        values.length > 0 && values.length <= 1000 && values.every((v) => typeof v === 'string')
          ? { or: values.map((v) => ({ column: cols[0]!, op: '=' as const, value: v as string })) }
          : undefined;
      const where = range ? `(${match}) OR (${range})` : match;
      return skip && !range ? { where, skip } : { where };
    }
    case 'replace':
      return { where: range ? `(${update.where}) OR (${range})` : update.where };
    default:
      return { where: 'all' };
  }
}

/** Writes __prism_out with the given where and txns (and a new schema, on a whole-table rewrite); returns the commit. */
export async function commitOutput(
  output: DeltaTable,
  where: Pick<ReplaceOptions, 'where' | 'skip'>,
  txns: ReplaceOptions['txns'],
  schema?: ReplaceOptions['schema'],
  fence?: ReplaceOptions['fence'],
) {
  return output.replace(
    { sql: 'SELECT * FROM __prism_out' },
    { ...where, txns: txns ?? [], ...(schema ? { schema } : {}), ...(fence ? { fence } : {}) },
  );
}
