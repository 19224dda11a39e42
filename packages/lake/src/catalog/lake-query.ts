// Makes the lake's tables queryable by name in a DuckDB session: each table a query reads becomes a view
// (`bronze.events`) over its Delta snapshot's live files — at a version or time for time travel — with data
// skipping from the conditions the query puts on it.
import { DeltaTable, type SnapshotSelector } from '../delta-table.js';
import type { Sql } from '../duckdb/sql.js';
import { InvalidInputError } from '../errors.js';
import { planScan } from '../scan/scan-sql.js';
import { quoteIdent } from '../schema/delta-schema.js';
import { type LakeCatalog, parseTableName } from './lake-catalog.js';
import { analyzeQuery, referencePredicate } from './sql-analysis.js';

/** What was registered for one table. */
export interface RegisteredTable {
  table: string;
  version: number;
  filesRead: number;
  filesTotal: number;
}

/**
 * Registers every lake table `text` reads as a view in `sql`'s session and returns what each resolved to.
 * Throws InvalidInputError for non-SELECT statements and for a table that does not exist.
 * @example await prepareLakeQuery(new LakeCatalog('./lens-data/lake'), db, 'SELECT count(*) FROM bronze.events');
 */
export async function prepareLakeQuery(
  catalog: LakeCatalog,
  sql: Sql,
  text: string,
  asOf: SnapshotSelector = {},
): Promise<RegisteredTable[]> {
  const references = await analyzeQuery(sql, text);
  const registered: RegisteredTable[] = [];
  for (const reference of references) {
    if (!(await catalog.exists(reference.table))) {
      const known = await catalog.tables();
      throw new InvalidInputError(
        `table ${reference.table} does not exist in ${catalog.root} (tables: ${known.join(', ') || 'none yet'})`,
        { table: reference.table },
      );
    }
    const table = await DeltaTable.open(catalog.tablePath(reference.table), { sql });
    // One --as-of for every table of the query: say which table it does not fit.
    const snapshot = await table.snapshot(asOf).catch((error: unknown) => {
      if (Object.keys(asOf).length === 0) throw error;
      throw new InvalidInputError(`${reference.table}: ${(error as Error).message}`, { table: reference.table });
    });
    const predicate = referencePredicate(reference);
    // The conditions only choose files: the query applies them itself, with its literals' own types.
    const plan = await planScan(
      table.store,
      sql,
      snapshot,
      predicate === undefined ? {} : { predicate, filterRows: false },
    );
    const { layer, name } = parseTableName(reference.table);
    await sql.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(layer)}`);
    await sql.run(`CREATE OR REPLACE VIEW ${quoteIdent(layer)}.${quoteIdent(name)} AS ${plan.sql}`);
    registered.push({
      table: reference.table,
      version: snapshot.version,
      filesRead: plan.filesRead,
      filesTotal: plan.filesTotal,
    });
  }
  return registered;
}
