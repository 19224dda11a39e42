// The insight engine's DuckDB: one in-memory database with two connections. Queries run one at a time on the first
// (the lake views they register are shared by the database and re-pointed by each query); warm copies are built on
// the second (warm-events.ts), so a rebuild no longer holds the queries up. Both in UTC (TIMESTAMPTZ renders as UTC).
import { DuckDBInstance } from '@duckdb/node-api';
import { createDuckDB, type DuckDBSession } from '@lens/lake';

/** The two sessions; `close()` closes both and the database. */
export interface EngineDuckDB {
  readonly query: DuckDBSession;
  readonly build: DuckDBSession;
  close(): void;
}

/** Opens the engine's in-memory database and its two connections. */
export async function openEngineDuckDB(): Promise<EngineDuckDB> {
  const instance = await DuckDBInstance.create(':memory:');
  const connections = [await instance.connect(), await instance.connect()];
  for (const c of connections) await c.run(`SET TimeZone = 'UTC'`);
  const [query, build] = await Promise.all(connections.map((c) => createDuckDB(c)));
  return {
    query: query!,
    build: build!,
    close: () => {
      for (const c of connections) c.closeSync();
      instance.closeSync();
    },
  };
}
