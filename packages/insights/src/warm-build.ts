// Builds one warm copy of the lake's events: identity-resolved silver.events (person as a 64-bit hash plus its name,
// the columns insights read, no raw JSON) at exact table versions, as one table of the engine's DuckDB.
// The rows are stored grouped by person and in (time, message) order within a person, with two extra columns for
// the typed-array kernels (funnel-kernel.ts, paths-kernel.ts): the person as a dense integer (pidx, numbered in
// person_id order so it ascends with the storage order) and the event name as a code (name_code, 0..n-1 in name
// order). Queries on the copy also see `seq`, the row's position (DuckDB's rowid: a table created with ORDER BY is
// stored in that order). A kernel reads a plain filtered scan — no join, no ORDER BY, no regrouping in JS.
// It runs on its own connection (warm-events.ts) while queries read the previous copy on the engine's, so it reads
// the snapshots' files directly: the lake views (`silver.events` …) are shared by every connection of the
// database and re-pointed by each query, and replacing one from two connections is a write-write conflict.
import { DeltaTable, type LakeCatalog } from '@lens/lake';
import type { DuckDBRunner } from './duckdb-runner.js';
import { TS_UTC_SQL, identityJoinSql, personNameSql } from './sql/event-source.js';
import { ident } from './sql/sql-text.js';

/** The tables a warm copy is made of, and the versions it holds (`silver.identities` -1: no such table yet). */
export interface WarmVersions {
  readonly 'silver.events': number;
  readonly 'silver.identities': number;
}

/** The lake tables a warm copy reads. */
export const WARM_SOURCES = ['silver.events', 'silver.identities'] as const;

/** One built copy. */
export interface WarmCopy {
  /** The DuckDB table queries read (`ctx.warm`). */
  readonly table: string;
  readonly versions: WarmVersions;
  /** Columns a query may use against the table. */
  readonly columns: ReadonlySet<string>;
  /** Event name → name_code. */
  readonly nameCodes: ReadonlyMap<string, number>;
}

/** silver.events columns kept warm (those present in the table); message_id is kept as its hash (ordering only). */
const WARM_COLUMNS = [
  'type',
  'event_name',
  'actor_id',
  'anonymous_id',
  'user_id',
  'timestamp',
  'event_date',
  'site',
  'platform',
  'page_path',
  'referrer_host',
  'campaign_source',
  'article_id',
  'section',
  'author',
  'scroll_depth',
  'read_time_s',
  'search_query',
  'result_count',
  'list_id',
  'position',
  'plan',
  'price',
];

/**
 * Builds `table` from the lake at `versions` with `runner` (its connection, its timeout × 10). The person and name
 * dictionaries come from a narrow read of the files, so the wide rows are materialised once, already sorted (a
 * staging copy sorted into a second one took ~25 % more CPU at 1M events and held both copies at the peak).
 */
export async function buildWarmCopy(
  catalog: LakeCatalog,
  runner: DuckDBRunner,
  versions: WarmVersions,
  table: string,
): Promise<WarmCopy> {
  const db = runner.db;
  const scan = async (name: string, version: number): Promise<string> =>
    `(${(await (await DeltaTable.open(catalog.tablePath(name), { sql: db })).scan({ version })).sql})`;
  const events = await scan('silver.events', versions['silver.events']);
  const hasIdentities = versions['silver.identities'] >= 0;
  const identities = hasIdentities ? await scan('silver.identities', versions['silver.identities']) : '';
  const present = new Set((await db.describe(`SELECT * FROM ${events} e LIMIT 0`)).map((c) => c.name));
  const kept = WARM_COLUMNS.filter((c) => present.has(c));
  const person = personNameSql(hasIdentities);
  const from = `FROM ${events} e${identityJoinSql(hasIdentities, identities)}`;
  const persons = `${table}_persons`;
  const names = `${table}_names`;
  const timeout = 10 * runner.timeoutMs;
  try {
    await runner.all(
      `CREATE TABLE ${persons} AS SELECT person_id, (row_number() OVER (ORDER BY person_id))::INTEGER AS pidx FROM (SELECT DISTINCT hash(${person}) AS person_id ${from})`,
      timeout,
    );
    await runner.all(
      `CREATE TABLE ${names} AS SELECT event_name, (row_number() OVER (ORDER BY event_name) - 1)::INTEGER AS code FROM (SELECT DISTINCT event_name FROM ${events} e WHERE event_name IS NOT NULL)`,
      timeout,
    );
    const select = `SELECT hash(${person}) AS person_id, ${person} AS person_name, hash(e.message_id) AS message_id, ${TS_UTC_SQL} AS ts_utc, ${kept.map((c) => `e.${ident(c)}`).join(', ')} ${from}`;
    await runner.all(
      `CREATE TABLE ${table} AS SELECT s.*, p.pidx, n.code AS name_code
        FROM (${select}) s JOIN ${persons} p USING (person_id) LEFT JOIN ${names} n USING (event_name) ORDER BY p.pidx, s.ts_utc, s.message_id`,
      timeout,
    );
    const codes = await runner.all(`SELECT event_name, code FROM ${names}`);
    return {
      table,
      versions,
      columns: new Set(['person_id', 'person_name', 'message_id', 'ts_utc', 'pidx', 'name_code', 'seq', ...kept]),
      nameCodes: new Map(codes.map((r) => [String(r['event_name']), Number(r['code'])])),
    };
  } catch (error) {
    await db.run(`DROP TABLE IF EXISTS ${table}`);
    throw error;
  } finally {
    for (const t of [persons, names]) await db.run(`DROP TABLE IF EXISTS ${t}`);
  }
}

/** True when `sql` (built against the copy's table) reads only the copy's columns. */
export function copyCovers(copy: WarmCopy, sql: string): boolean {
  if (/\bproperties\b/.test(sql)) return false;
  for (const m of sql.matchAll(/"([a-z_][a-z0-9_]*)"/g)) if (!copy.columns.has(m[1]!)) return false;
  return true;
}
