// The warm copy of the lake's events: identity-resolved silver.events (person as a 64-bit hash plus its name,
// the columns insights read, no raw JSON) materialised once per (silver.events, silver.identities) version in
// the engine's DuckDB. Queries read it instead of decoding Parquet and joining identities each time; a new
// commit to either table rebuilds it. A query needing other columns (JSON properties …) reads the lake.
// The rows are stored grouped by person and in (time, message) order within a person, with two extra columns for
// the typed-array kernels (funnel-kernel.ts, paths-kernel.ts): the person as a dense integer (pidx, from
// WARM_PERSONS, numbered in person_id order so it ascends with the storage order) and the event name as a code
// (name_code, from WARM_NAMES). Queries on the warm table also see `seq`, the row's position (DuckDB's rowid: a
// table created with ORDER BY is stored in that order). A kernel reads a plain filtered scan — no join to the
// dictionaries, no ORDER BY, no regrouping in JS: rows arrive per person in order; seq settles any row a join
// or filter moved.
import { prepareLakeQuery, type LakeCatalog } from '@lens/lake';
import type { DuckDBRunner } from './duckdb-runner.js';
import { TS_UTC_SQL, identityJoinSql, personNameSql } from './sql/event-source.js';
import { ident } from './sql/sql-text.js';

/** The table name queries read. */
export const WARM_TABLE = '__warm_events';
/** person_id → pidx (1..n) of the warm table's persons. */
export const WARM_PERSONS = '__warm_persons';
/** event_name → code (0..n-1) of the warm table's event names. */
export const WARM_NAMES = '__warm_event_names';

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

/** Keeps one warm table current. */
export class WarmEvents {
  #key: string | undefined;
  #columns = new Set<string>();
  #nameCodes: ReadonlyMap<string, number> = new Map();

  constructor(
    readonly catalog: LakeCatalog,
    readonly runner: DuckDBRunner,
  ) {}

  /** Event name → name_code of the warm table (read once per build). */
  get nameCodes(): ReadonlyMap<string, number> {
    return this.#nameCodes;
  }

  /** Columns a query may use against the warm table. */
  get columns(): ReadonlySet<string> {
    return this.#columns;
  }

  /** Rebuilds the table unless it already holds these versions; call inside `runner.exclusive`. */
  async ensure(versions: Readonly<Record<string, number>>, hasIdentities: boolean): Promise<void> {
    const key = JSON.stringify(versions);
    if (key === this.#key) return;
    const db = this.runner.db;
    const probe = 'SELECT * FROM silver.events e LIMIT 0';
    await prepareLakeQuery(this.catalog, db, probe);
    const present = new Set((await db.describe(probe)).map((c) => c.name));
    const kept = WARM_COLUMNS.filter((c) => present.has(c));
    const person = personNameSql(hasIdentities);
    const from = `FROM silver.events e${identityJoinSql(hasIdentities)}`;
    const select = `SELECT hash(${person}) AS person_id, ${person} AS person_name, hash(e.message_id) AS message_id, ${TS_UTC_SQL} AS ts_utc, ${kept.map((c) => `e.${ident(c)}`).join(', ')} ${from}`;
    await prepareLakeQuery(this.catalog, db, select);
    this.#key = undefined;
    for (const t of [WARM_TABLE, WARM_PERSONS, WARM_NAMES]) await db.run(`DROP TABLE IF EXISTS ${t}`);
    const timeout = 10 * this.runner.timeoutMs;
    // The dictionaries come from a narrow read of the files, so the wide rows are materialised once, already sorted:
    // a staging copy sorted into a second one took ~25 % more CPU at 1M events (4.3-4.5 s against 3.1-3.6 s) and
    // held both copies at the peak.
    await this.runner.all(
      `CREATE TABLE ${WARM_PERSONS} AS SELECT person_id, (row_number() OVER (ORDER BY person_id))::INTEGER AS pidx FROM (SELECT DISTINCT hash(${person}) AS person_id ${from})`,
      timeout,
    );
    await this.runner.all(
      `CREATE TABLE ${WARM_NAMES} AS SELECT event_name, (row_number() OVER (ORDER BY event_name) - 1)::INTEGER AS code FROM (SELECT DISTINCT event_name FROM silver.events e WHERE event_name IS NOT NULL)`,
      timeout,
    );
    await this.runner.all(
      `CREATE TABLE ${WARM_TABLE} AS SELECT s.*, p.pidx, n.code AS name_code
        FROM (${select}) s JOIN ${WARM_PERSONS} p USING (person_id) LEFT JOIN ${WARM_NAMES} n USING (event_name) ORDER BY p.pidx, s.ts_utc, s.message_id`,
      timeout,
    );
    const names = await this.runner.all(`SELECT event_name, code FROM ${WARM_NAMES}`);
    this.#nameCodes = new Map(names.map((r) => [String(r['event_name']), Number(r['code'])]));
    this.#columns = new Set(['person_id', 'person_name', 'message_id', 'ts_utc', 'pidx', 'name_code', 'seq', ...kept]);
    this.#key = key;
  }

  /** True when `sql` (built against the warm table) reads only warm columns. */
  covers(sql: string): boolean {
    if (/\bproperties\b/.test(sql)) return false;
    for (const m of sql.matchAll(/"([a-z_][a-z0-9_]*)"/g)) if (!this.#columns.has(m[1]!)) return false;
    return true;
  }
}
