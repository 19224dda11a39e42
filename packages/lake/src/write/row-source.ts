// Turns an append's input (a DuckDB query, JS row objects, an NDJSON or Parquet file) into one SELECT that
// yields exactly the table's columns, cast to their Delta types; absent nullable columns become NULL.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from '../duckdb/sql.js';
import { InvalidInputError } from '../errors.js';
import { quoteIdent, quoteLiteral, toDuckDBType, type DeltaStructType } from '../schema/delta-schema.js';

/** Rows to write. */
export type RowSource =
  /**
   * `columns`: the names the query yields, when the caller knows them (a writer committing the same query shape
   * every second): the statement that would ask DuckDB for them is skipped. A name the query lacks fails the
   * write; a column the query yields but `columns` omits is not written.
   */
  | { sql: string; columns?: readonly string[] }
  | { rows: readonly Record<string, unknown>[] }
  | { ndjsonFile: string }
  | { parquetFiles: string | readonly string[] };

/** A SELECT over the source with the table's columns, plus a cleanup for staged input. */
export async function sourceSelect(
  sql: Sql,
  schema: DeltaStructType,
  source: RowSource,
): Promise<{ select: string; tempDir?: string }> {
  const typed = `{${schema.fields.map((f) => `${quoteLiteral(f.name)}: ${quoteLiteral(toDuckDBType(f.type))}`).join(', ')}}`;
  let from: string;
  let tempDir: string | undefined;
  if ('sql' in source) from = `(${source.sql})`;
  else if ('parquetFiles' in source) {
    const files = typeof source.parquetFiles === 'string' ? [source.parquetFiles] : source.parquetFiles;
    from = `read_parquet([${files.map(quoteLiteral).join(', ')}], union_by_name = true)`;
  } else {
    let file: string;
    if ('rows' in source) {
      tempDir = await mkdtemp(join(tmpdir(), 'lens-rows-'));
      file = join(tempDir, 'rows.json');
      await writeFile(file, source.rows.map((r) => JSON.stringify(r, jsonSafe)).join('\n') + '\n');
    } else file = source.ndjsonFile;
    from = `read_json(${quoteLiteral(file)}, format = 'newline_delimited', columns = ${typed})`;
  }
  const declared = 'sql' in source ? source.columns : undefined;
  const present = new Set(declared ?? (await sql.describe(`SELECT * FROM ${from}`)).map((c) => c.name));
  const cols = schema.fields.map((f) => {
    const cast = `CAST(${quoteIdent(f.name)} AS ${toDuckDBType(f.type)})`;
    // Non-nullable columns are enforced while writing (Delta readers trust the schema's nullability).
    if (present.has(f.name) && !f.nullable) {
      return `CASE WHEN ${cast} IS NULL THEN error(${quoteLiteral(`NULL in non-nullable column ${f.name}`)}) ELSE ${cast} END AS ${quoteIdent(f.name)}`;
    }
    if (present.has(f.name)) return `${cast} AS ${quoteIdent(f.name)}`;
    if (!f.nullable) throw new InvalidInputError(`input lacks non-nullable column ${f.name}`, { column: f.name });
    return `CAST(NULL AS ${toDuckDBType(f.type)}) AS ${quoteIdent(f.name)}`;
  });
  const extra = [...present].filter((c) => !schema.fields.some((f) => f.name === c));
  if (extra.length > 0)
    throw new InvalidInputError(`input has columns the table lacks: ${extra.join(', ')}`, { columns: extra });
  return { select: `SELECT ${cols.join(', ')} FROM ${from}`, ...(tempDir ? { tempDir } : {}) };
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  return value;
}
