// Trending now on bronze.events, seconds fresh: recent article views held in memory (recent-views.ts), filled
// once from the bronze partitions in the horizon by DuckDB and then topped up with only the files each new
// bronze commit added (DeltaTable.changes), so a request costs a version probe plus a scan of its window.
import { DeltaTable, createDuckDB, where, type DuckDBSession, type LakeCatalog } from '@lens/lake';
import { DuckDBRunner } from '../duckdb-runner.js';
import { lit } from '../sql/sql-text.js';
import { latestVersion } from '../table-version.js';
import { RecentViews, type ViewRow } from './recent-views.js';
import type { TrendingArticle, TrendingQuery, TrendingResult } from './trending-query.js';

const VIEW_EVENT = 'Article Viewed';
/** Views older than this before the newest `now` asked are dropped: the longest window plus baseline is 7 days. */
const KEEP_US = 8 * 86_400_000_000;
/** Old views are dropped once there are this many (or a quarter of those held), not a few on every request. */
const DROP_CHUNK = 65_536;

/** Keeps recent article views warm and ranks them. */
export class TrendingIndex {
  #version = -1;
  #coveredFrom = Infinity;
  #newestNow = -Infinity;
  readonly #views = new RecentViews();
  readonly #runner: DuckDBRunner;

  private constructor(
    readonly catalog: LakeCatalog,
    db: DuckDBSession,
    timeoutMs: number,
  ) {
    this.#runner = new DuckDBRunner(db, timeoutMs);
  }

  static async open(catalog: LakeCatalog, timeoutMs = 30_000): Promise<TrendingIndex> {
    return new TrendingIndex(catalog, await createDuckDB(), timeoutMs);
  }

  /** Brings the views up to bronze's latest version for a horizon starting at `from`. */
  async #refresh(from: Date): Promise<number> {
    const dir = this.catalog.tablePath('bronze.events');
    const latest = await latestVersion(dir);
    if (latest < 0) return -1;
    if (from.getTime() >= this.#coveredFrom && latest === this.#version) return latest;
    const table = await DeltaTable.open(dir, { sql: this.#runner.db });
    const load = async (scan: string, since: number): Promise<ViewRow[]> =>
      (
        await this.#runner.all(`SELECT epoch_us(timestamp)::DOUBLE AS us,
        json_extract_string(properties, '$.article_id') AS a, json_extract_string(properties, '$.section') AS c, json_extract_string(properties, '$.site') AS s
      FROM (${scan}) WHERE event = ${lit(VIEW_EVENT)} AND NOT is_bot AND timestamp >= ${lit(new Date(since).toISOString())}::TIMESTAMPTZ`)
      ).map((r) => ({
        tsUs: r['us'] as number,
        articleId: r['a'] as string | null,
        section: r['c'] as string | null,
        site: r['s'] as string | null,
      }));
    if (from.getTime() < this.#coveredFrom) {
      // The horizon reaches further back than what is loaded: reload it from the partitions it spans.
      const day = new Date(from.getTime() - 86_400_000).toISOString().slice(0, 10);
      const plan = await table.scan({ version: latest, predicate: where.gte('event_date', day) });
      const rows = await load(plan.sql, from.getTime());
      this.#views.clear();
      this.#views.add(rows);
      this.#coveredFrom = from.getTime();
      this.#version = latest;
    } else if (latest > this.#version) {
      const changes = await table.changes(this.#version, latest);
      if (changes.added.length > 0)
        this.#views.add(await load((await table.scanFiles(changes.added, latest)).sql, this.#coveredFrom));
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
      this.#trim(now.getTime() * 1000);
      const ranked = this.#views.rank({
        nowUs: now.getTime() * 1000,
        windowStartUs: windowStart.getTime() * 1000,
        baselineStartUs: baselineStart.getTime() * 1000,
        halfLifeMinutes: q.halfLifeMinutes,
        site: q.site,
        section: q.section,
        limit: q.limit,
      });
      const articles: TrendingArticle[] = ranked.map((a) => ({
        articleId: a.articleId,
        site: a.site,
        section: a.section,
        views: a.views,
        score: a.score,
        baselineViewsPerHour: a.baseline / q.baselineHours,
        velocity: a.views / (q.minutes / 60) / ((a.baseline + 1) / q.baselineHours),
      }));
      return { now: now.toISOString(), minutes: q.minutes, articles, bronzeVersion: version };
    });
  }

  /** Drops views no request can reach any more (older than the longest horizon before the newest `now`). */
  #trim(nowUs: number): void {
    if (nowUs <= this.#newestNow) return;
    this.#newestNow = nowUs;
    const cut = nowUs - KEEP_US;
    if (cut > this.#coveredFrom * 1000 && this.#views.dropUntil(cut, Math.max(DROP_CHUNK, this.#views.length / 4)))
      this.#coveredFrom = cut / 1000;
  }

  close(): Promise<void> {
    return this.#runner.exclusive(async () => this.#runner.db.close());
  }
}
