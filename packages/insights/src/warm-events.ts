// The warm copy of the lake's events: identity-resolved silver.events (person as a 64-bit hash plus its name,
// the columns insights read, no raw JSON) materialised once per (silver.events, silver.identities) version in
// the engine's DuckDB. Queries read it instead of decoding Parquet and joining identities each time; a new
// commit to either table rebuilds it. A query needing other columns (JSON properties …) reads the lake.
import { prepareLakeQuery, type LakeCatalog } from '@lens/lake';
import type { DuckDBRunner } from './duckdb-runner.js';
import { TS_UTC_SQL, identityJoinSql, personNameSql } from './sql/event-source.js';
import { ident } from './sql/sql-text.js';

/** The table name queries read. */
export const WARM_TABLE = '__warm_events';

/** silver.events columns kept warm (those present in the table); message_id is kept as its hash (ordering only). */
const WARM_COLUMNS = [
  'type', 'event_name', 'actor_id', 'anonymous_id', 'user_id', 'timestamp', 'event_date', 'site', 'platform', 'page_path',
  'referrer_host', 'campaign_source', 'article_id', 'section', 'author', 'scroll_depth', 'read_time_s', 'search_query',
  'result_count', 'list_id', 'position', 'plan', 'price',
];

/** Keeps one warm table current. */
export class WarmEvents {
  #key: string | undefined;
  #columns = new Set<string>();

  constructor(readonly catalog: LakeCatalog, readonly runner: DuckDBRunner) {}

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
    const select = `SELECT hash(${person}) AS person_id, ${person} AS person_name, hash(e.message_id) AS message_id, ${TS_UTC_SQL} AS ts_utc, ${kept.map((c) => `e.${ident(c)}`).join(', ')}
      FROM silver.events e${identityJoinSql(hasIdentities)}`;
    await prepareLakeQuery(this.catalog, db, select);
    this.#key = undefined;
    await db.run(`DROP TABLE IF EXISTS ${WARM_TABLE}`);
    await this.runner.all(`CREATE TABLE ${WARM_TABLE} AS ${select}`, 10 * this.runner.timeoutMs);
    this.#columns = new Set(['person_id', 'person_name', 'message_id', 'ts_utc', ...kept]);
    this.#key = key;
  }

  /** True when `sql` (built against the warm table) reads only warm columns. */
  covers(sql: string): boolean {
    if (/\bproperties\b/.test(sql)) return false;
    for (const m of sql.matchAll(/"([a-z_][a-z0-9_]*)"/g)) if (!this.#columns.has(m[1]!)) return false;
    return true;
  }
}
