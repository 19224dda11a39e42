// Trending now on bronze.events, seconds fresh: a warm in-memory DuckDB table of recent article views, filled
// once from the bronze partitions in the horizon and then topped up with only the files each new bronze
// commit added (DeltaTable.changes), so a request costs a directory listing plus a query on a small table.
import { DeltaTable, createDuckDB, where, type DuckDBSession, type LakeCatalog } from '@lens/lake';
import { DuckDBRunner } from '../duckdb-runner.js';
import { lit, plainRows } from '../sql/sql-text.js';
import { latestVersion } from '../table-version.js';
import type { TrendingArticle, TrendingQuery, TrendingResult } from './trending-query.js';

const VIEW_EVENT = 'Article Viewed';

/** Keeps recent article views warm and ranks them. */
export class TrendingIndex {
  #version = -1;
  #coveredFrom = Infinity;
  readonly #runner: DuckDBRunner;

  private constructor(
    readonly catalog: LakeCatalog,
    db: DuckDBSession,
    timeoutMs: number,
  ) {
    this.#runner = new DuckDBRunner(db, timeoutMs);
  }

  static async open(catalog: LakeCatalog, timeoutMs = 30_000): Promise<TrendingIndex> {
    const db = await createDuckDB();
    await db.run('CREATE TABLE views (ts TIMESTAMPTZ, article_id VARCHAR, section VARCHAR, site VARCHAR)');
    return new TrendingIndex(catalog, db, timeoutMs);
  }

  /** Brings the warm table up to bronze's latest version for a horizon starting at `from`. */
  async #refresh(from: Date): Promise<number> {
    const dir = this.catalog.tablePath('bronze.events');
    const latest = await latestVersion(dir);
    if (latest < 0) return -1;
    const db = this.#runner.db;
    const table = await DeltaTable.open(dir, { sql: db });
    const select = (scan: string, since: number): string => `INSERT INTO views SELECT timestamp,
        json_extract_string(properties, '$.article_id'), json_extract_string(properties, '$.section'), json_extract_string(properties, '$.site')
      FROM (${scan}) WHERE event = ${lit(VIEW_EVENT)} AND NOT is_bot AND timestamp >= ${lit(new Date(since).toISOString())}::TIMESTAMPTZ`;
    if (from.getTime() < this.#coveredFrom) {
      // The horizon reaches further back than what is loaded: reload it from the partitions it spans.
      const day = new Date(from.getTime() - 86_400_000).toISOString().slice(0, 10);
      const plan = await table.scan({ version: latest, predicate: where.gte('event_date', day) });
      await db.run('DELETE FROM views');
      await db.run(select(plan.sql, from.getTime()));
      this.#coveredFrom = from.getTime();
      this.#version = latest;
    } else if (latest > this.#version) {
      const changes = await table.changes(this.#version, latest);
      if (changes.added.length > 0)
        await db.run(select((await table.scanFiles(changes.added, latest)).sql, this.#coveredFrom));
      this.#version = latest;
    }
    return this.#version;
  }

  /** Ranks articles for `q` (after catching up with bronze). */
  async query(q: TrendingQuery, clock: Date): Promise<TrendingResult> {
    const now = q.now === undefined ? clock : new Date(q.now);
    const windowStart = new Date(now.getTime() - q.minutes * 60_000);
    const baselineStart = new Date(windowStart.getTime() - q.baselineHours * 3_600_000);
    return this.#runner.exclusive(async () => {
      const version = await this.#refresh(baselineStart);
      const ts = (d: Date): string => `${lit(d.toISOString())}::TIMESTAMPTZ`;
      const filter =
        (q.site === undefined ? '' : ` AND site = ${lit(q.site)}`) +
        (q.section === undefined ? '' : ` AND section = ${lit(q.section)}`);
      const rows = plainRows(
        await this.#runner.all(`
        WITH w AS (
          SELECT article_id, any_value(site) AS site, any_value(section) AS section, count(*) AS views,
                 sum(pow(2, -(epoch(${ts(now)}) - epoch(ts)) / 60 / ${q.halfLifeMinutes})) AS score
          FROM views WHERE ts > ${ts(windowStart)} AND ts <= ${ts(now)} AND article_id IS NOT NULL${filter} GROUP BY article_id),
        b AS (SELECT article_id, count(*) AS base FROM views WHERE ts > ${ts(baselineStart)} AND ts <= ${ts(windowStart)}${filter} GROUP BY article_id)
        SELECT w.*, coalesce(b.base, 0) / ${q.baselineHours}::DOUBLE AS base_ph,
               (w.views / ${q.minutes / 60}) / ((coalesce(b.base, 0) + 1) / ${q.baselineHours}::DOUBLE) AS velocity
        FROM w LEFT JOIN b USING (article_id) ORDER BY score DESC, article_id LIMIT ${q.limit}`),
      );
      const articles: TrendingArticle[] = rows.map((r) => ({
        articleId: String(r['article_id']),
        site: (r['site'] as string | null) ?? null,
        section: (r['section'] as string | null) ?? null,
        views: Number(r['views']),
        score: Number(r['score']),
        baselineViewsPerHour: Number(r['base_ph']),
        velocity: Number(r['velocity']),
      }));
      return { now: now.toISOString(), minutes: q.minutes, articles, bronzeVersion: version };
    });
  }

  close(): Promise<void> {
    return this.#runner.exclusive(async () => this.#runner.db.close());
  }
}
