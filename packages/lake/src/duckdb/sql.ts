// The narrow SQL port the lake needs from DuckDB (run a statement, read rows as plain JS), so the rest of the
// package never touches @duckdb/node-api types; `createDuckDB` opens an in-process instance in UTC.
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** A row as plain JS: BIGINT as bigint, DATE/TIMESTAMP as DuckDB's JS forms, nested as objects/arrays. */
export type SqlRow = Record<string, unknown>;

/** What the lake needs from a SQL engine. */
export interface Sql {
  /** Runs a statement and returns every row as an object keyed by column name. */
  all(sql: string): Promise<SqlRow[]>;
  /** Runs a statement for its effect. */
  run(sql: string): Promise<void>;
  /** Column names and DuckDB types of a query's result, without running it to completion. */
  describe(sql: string): Promise<{ name: string; type: string }[]>;
}

/** An owned DuckDB instance plus its Sql port; call `close()` when done. */
export interface DuckDBSession extends Sql {
  readonly connection: DuckDBConnection;
  close(): void;
}

/** Opens an in-memory DuckDB (TimeZone UTC so TIMESTAMPTZ renders as UTC) or wraps a caller's connection. */
export async function createDuckDB(connection?: DuckDBConnection): Promise<DuckDBSession> {
  const instance = connection ? undefined : await DuckDBInstance.create(':memory:');
  const conn = connection ?? (await instance!.connect());
  if (!connection) await conn.run(`SET TimeZone = 'UTC'`);
  return {
    connection: conn,
    all: async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as SqlRow[],
    run: async (sql) => {
      await conn.run(sql);
    },
    describe: async (sql) => {
      const rows = (await conn.runAndReadAll(`DESCRIBE ${sql}`)).getRowObjectsJS();
      return rows.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
    },
    close: () => {
      if (instance) {
        conn.closeSync();
        instance.closeSync();
      }
    },
  };
}

/** What a batch job's DuckDB may use (see `createSpillingDuckDB`). */
export interface SpillOptions {
  /** A folder of its own is made here for the session's spills (DuckDB's default is `.tmp` in the working directory). */
  spillUnder: string;
  /** DuckDB's memory_limit in bytes (default: DuckDB's, 80 % of the machine); past it, operators spill. */
  memoryLimitBytes?: number;
}

/**
 * An in-memory DuckDB for a batch job (a pipeline run, an evaluation) that spills to a folder of its own under
 * `spillUnder` — sessions running at once must not share DuckDB's temporary files — removed by `close()`.
 */
export async function createSpillingDuckDB(options: SpillOptions): Promise<DuckDBSession> {
  await mkdir(options.spillUnder, { recursive: true });
  const spillDir = await mkdtemp(join(options.spillUnder, 'duckdb-'));
  const session = await createDuckDB();
  const close = (): void => {
    session.close();
    rmSync(spillDir, { recursive: true, force: true });
  };
  try {
    await session.run(`SET temp_directory = '${spillDir.replaceAll("'", "''")}'`);
    if (options.memoryLimitBytes !== undefined)
      await session.run(`SET memory_limit = '${Math.floor(options.memoryLimitBytes)}B'`);
  } catch (error) {
    close();
    throw error;
  }
  return { ...session, close };
}

let shared: Promise<DuckDBSession> | undefined;

/** A process-wide DuckDB used when the caller supplies none (opened on first use). */
export function sharedDuckDB(): Promise<DuckDBSession> {
  shared ??= createDuckDB();
  return shared;
}
