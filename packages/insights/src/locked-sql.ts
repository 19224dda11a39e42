// Raw SQL over the lake, locked down in three layers: (1) DuckDB's parser must see exactly one SELECT (or
// EXPLAIN [ANALYZE] of one);
// (2) the SELECT may read the lake's tables (views Lens registers) but call no table function (read_csv,
// read_parquet, glob, …); (3) the session itself has external access off, only the lake directory allowed
// and its configuration locked, so SET/PRAGMA/ATTACH/COPY/INSTALL/LOAD fail even if (1)-(2) missed something.
import { resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LakeCatalog, createDuckDB, parseSerializedSql, prepareLakeQuery, type DuckDBSession } from '@lens/lake';
import { apiValueConverter } from './api-values.js';
import { DuckDBRunner } from './duckdb-runner.js';
import { QueryTimeoutError, SqlFailedError, SqlRefusedError } from './errors.js';
import { lit } from './sql/sql-text.js';

/** The answer to raw SQL. */
export interface SqlResult {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  /** More rows existed than the cap. */
  truncated: boolean;
  tables: { table: string; version: number }[];
}

/**
 * A DuckDB session that can read files under `lakeRoot` only, nothing else, and cannot change its settings. With
 * `memoryLimitBytes`, a statement needing more fails with DuckDB's out-of-memory error (DuckDB's default is 80 % of
 * the machine per session: a few heavy queries at once could take the whole server down).
 */
export async function createLockedDuckDB(lakeRoot: string, memoryLimitBytes?: number): Promise<DuckDBSession> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const root = `${resolve(lakeRoot)}/`;
  for (const statement of [
    ...(memoryLimitBytes === undefined ? [] : [`SET memory_limit = '${Math.floor(memoryLimitBytes)}B'`]),
    `SET TimeZone = 'UTC'`,
    `SET allowed_directories = [${lit(root)}]`,
    `SET autoinstall_known_extensions = false`,
    `SET autoload_known_extensions = false`,
    `SET enable_external_access = false`,
    `SET lock_configuration = true`,
  ])
    await connection.run(statement);
  const session = await createDuckDB(connection);
  return {
    ...session,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

type Node = { [key: string]: unknown };

/** `EXPLAIN` or `EXPLAIN ANALYZE` in front of a SELECT (DuckDB's serialiser, the gate's parser, takes only the SELECT). */
const EXPLAIN_PREFIX = /^\s*EXPLAIN(\s+ANALY[SZ]E)?\s+/i;

/** Refuses anything but one SELECT without table functions; returns the statement without trailing `;`. */
export async function gateSql(runner: DuckDBRunner, text: string): Promise<string> {
  const [row] = await runner.all(`SELECT json_serialize_sql(${lit(text)}) AS j`);
  const parsed = parseSerializedSql(String(row?.['j'])) as {
    error: boolean;
    error_message?: string;
    statements?: { node: Node }[];
  };
  if (parsed.error) {
    const message = parsed.error_message ?? 'cannot be parsed';
    throw new SqlRefusedError(
      /only SELECT/i.test(message) ? 'read-only: only a single SELECT may run against the lake' : message,
    );
  }
  if (parsed.statements?.length !== 1) throw new SqlRefusedError('exactly one SELECT statement is allowed');
  const fn = findTableFunction(parsed.statements[0]!.node);
  if (fn !== undefined)
    throw new SqlRefusedError(
      `table function ${fn}() is not allowed: query the lake's tables by name (bronze.events, silver.*, gold.*)`,
    );
  // DuckDB's own catalog (duckdb_views lists the lake views with the server's file paths) is not the lake's.
  const system = findSystemTable(parsed.statements[0]!.node);
  if (system !== undefined)
    throw new SqlRefusedError(
      `${system} is DuckDB's catalog, not a lake table: query the lake's tables by name (GET /api/tables lists them)`,
    );
  return text.trim().replace(/;+\s*$/, '');
}

const SYSTEM_SCHEMAS = new Set(['information_schema', 'pg_catalog', 'system']);
const SYSTEM_TABLE = /^(duckdb_|sqlite_|pragma_)/i;

/** A reference to DuckDB's own catalog in a parsed statement (`system.main.duckdb_views`), if any. */
function findSystemTable(node: unknown): string | undefined {
  return findNode(node, (n) => {
    if (n['type'] !== 'BASE_TABLE') return undefined;
    const table = String(n['table_name'] ?? '');
    const schema = String(n['schema_name'] ?? '').toLowerCase();
    const catalog = String(n['catalog_name'] ?? '').toLowerCase();
    return SYSTEM_TABLE.test(table) || SYSTEM_SCHEMAS.has(schema) || SYSTEM_SCHEMAS.has(catalog)
      ? [catalog, schema, table].filter(Boolean).join('.')
      : undefined;
  });
}

/** The name of a table function called in a parsed statement, if any. */
function findTableFunction(node: unknown): string | undefined {
  return findNode(node, (n) =>
    n['type'] === 'TABLE_FUNCTION'
      ? String((n['function'] as Node | undefined)?.['function_name'] ?? 'table function')
      : undefined,
  );
}

/** The first answer of `match` over the objects of a parsed statement, depth first. */
function findNode(node: unknown, match: (n: Node) => string | undefined): string | undefined {
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = findNode(child, match);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const n = node as Node;
  const here = match(n);
  if (here !== undefined) return here;
  for (const value of Object.values(n)) {
    const found = findNode(value, match);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Runs locked-down SQL over the lake's tables.
 * @example const r = await (await LockedSql.open('./lens-data/lake', 30_000)).run('SELECT count(*) FROM silver.events', 1000);
 */
export class LockedSql {
  private constructor(
    readonly catalog: LakeCatalog,
    readonly runner: DuckDBRunner,
  ) {}

  static async open(lakeRoot: string, timeoutMs: number, memoryLimitBytes?: number): Promise<LockedSql> {
    return new LockedSql(
      new LakeCatalog(lakeRoot),
      new DuckDBRunner(await createLockedDuckDB(lakeRoot, memoryLimitBytes), timeoutMs),
    );
  }

  /**
   * Runs `text` (one SELECT, or EXPLAIN [ANALYZE] of one: its plan as rows of explain_key/explain_value) and returns
   * at most `rowCap` rows.
   */
  async run(text: string, rowCap: number): Promise<SqlResult> {
    return this.runner.exclusive(async () => {
      const explain = EXPLAIN_PREFIX.exec(text);
      const statement = await gateSql(this.runner, explain ? text.slice(explain[0].length) : text);
      let registered;
      try {
        registered = await prepareLakeQuery(this.catalog, this.runner.db, statement);
      } catch (error) {
        // The API's callers need the table names, not where the lake sits on the server's disk.
        const message = (error as Error).message.replaceAll(` in ${this.catalog.root}`, ' in the lake');
        throw new SqlRefusedError(message, { cause: error });
      }
      const tables = registered.map((t) => ({ table: t.table, version: t.version }));
      if (explain) {
        // The gated SELECT under the same EXPLAIN (ANALYZE runs it, within the timeout like any query).
        const rows = await this.runner
          .convertedRows(`${explain[0].trim().replace(/\s+/g, ' ')} ${statement}`, apiValueConverter)
          .catch(failed);
        const columns = ['explain_key', 'explain_value'].map((name) => ({ name, type: 'VARCHAR' }));
        return { columns, rows: rows.slice(0, rowCap), truncated: rows.length > rowCap, tables };
      }
      const wrapped = `SELECT * FROM (${statement}\n) LIMIT ${rowCap + 1}`;
      const columns = await this.runner.db.describe(wrapped).catch((error: unknown) => {
        throw new SqlRefusedError(withoutWrapper((error as Error).message, 'DESCRIBE SELECT * FROM ('), {
          cause: error,
        });
      });
      const rows = await this.runner.convertedRows(wrapped, apiValueConverter).catch(failed);
      return {
        columns,
        rows: rows.slice(0, rowCap),
        truncated: rows.length > rowCap,
        tables,
      };
    });
  }

  close(): Promise<void> {
    return this.runner.exclusive(async () => this.runner.db.close());
  }
}

/** A statement that failed as it ran is the SQL's fault (400 with DuckDB's message); a timeout stays one. */
function failed(error: unknown): never {
  if (error instanceof QueryTimeoutError) throw error;
  throw new SqlFailedError(withoutWrapper((error as Error).message, 'SELECT * FROM ('), { cause: error });
}

/**
 * DuckDB's error text about the user's SQL as they wrote it: its `LINE 1:` quotes the statement Lens wrapped it in
 * (`prefix` + the SQL), with the caret under the offending column; the prefix and as many caret spaces go.
 */
function withoutWrapper(message: string, prefix: string): string {
  const quoted = `LINE 1: ${prefix}`;
  const at = message.indexOf(quoted);
  if (at === -1) return message;
  const lineEnd = message.indexOf('\n', at);
  const head =
    message.slice(0, at) + 'LINE 1: ' + message.slice(at + quoted.length, lineEnd === -1 ? undefined : lineEnd);
  if (lineEnd === -1) return head;
  const rest = message.slice(lineEnd + 1);
  const caret = /^( *)\^/.exec(rest);
  return caret && caret[1]!.length >= prefix.length ? `${head}\n${rest.slice(prefix.length)}` : `${head}\n${rest}`;
}
