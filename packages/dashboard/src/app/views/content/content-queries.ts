// SQL behind the Content view: top articles, one article's daily figures (gold.content_daily), its hourly
// views (silver.events 'Article Viewed', the event gold counts), and what its readers also read.
import { sqlString } from '../../api/sql-api';
import { lastDaysSql } from '../../components/days-select';

/** Most-viewed articles of the period, with titles. */
export function topArticlesSql(days: number): string {
  return `SELECT d.article_id, any_value(c.title) AS title, any_value(d.section) AS section, sum(d.views)::BIGINT AS views, sum(d.unique_readers)::BIGINT AS reader_days
    FROM gold.content_daily d LEFT JOIN silver.content c USING (article_id) WHERE ${lastDaysSql('d.day', days)} GROUP BY d.article_id ORDER BY views DESC, d.article_id LIMIT 100`;
}

/** The article's metadata from silver.content. */
export function articleSql(id: string): string {
  return `SELECT article_id, title, section, site, author, CAST(published_at AS VARCHAR) AS published_at FROM silver.content WHERE article_id = ${sqlString(id)}`;
}

/** Per day: views, unique readers, read-through, scroll, read time and the referrers string ("host:n,…"). */
export function articleDailySql(id: string, days: number): string {
  return `SELECT CAST(day AS VARCHAR) AS day, views, unique_readers, read_through_rate, avg_scroll_depth, avg_read_time_s, referrers
    FROM gold.content_daily WHERE article_id = ${sqlString(id)} AND ${lastDaysSql('day', days)} ORDER BY day`;
}

/** Views and distinct readers per hour (for short periods, where days are too coarse). */
export function articleHourlySql(id: string, days: number): string {
  return `SELECT strftime(date_trunc('hour', timestamp), '%Y-%m-%d %H:00') AS hour, count(*) AS views, count(DISTINCT actor_id) AS readers
    FROM silver.events WHERE event_name = 'Article Viewed' AND article_id = ${sqlString(id)} AND ${lastDaysSql('event_date', days)} GROUP BY 1 ORDER BY 1`;
}

/** Other articles read by this article's readers in the period, by shared readers. */
export function coReadSql(id: string, days: number): string {
  const period = lastDaysSql('event_date', days);
  return `WITH readers AS (SELECT DISTINCT actor_id FROM silver.events WHERE event_name = 'Article Viewed' AND article_id = ${sqlString(id)} AND ${period})
    SELECT e.article_id, any_value(c.title) AS title, count(DISTINCT e.actor_id) AS shared_readers,
      round(count(DISTINCT e.actor_id) / (SELECT count(*) FROM readers), 3) AS share
    FROM silver.events e JOIN readers r USING (actor_id) LEFT JOIN silver.content c ON c.article_id = e.article_id
    WHERE e.event_name = 'Article Viewed' AND e.article_id IS NOT NULL AND e.article_id <> ${sqlString(id)} AND ${period.replace('event_date', 'e.event_date')}
    GROUP BY e.article_id ORDER BY shared_readers DESC, e.article_id LIMIT 15`;
}

/** Sums "host:n,host:n" strings of several days into hosts by count. */
export function sumReferrers(values: readonly unknown[]): { host: string; views: number }[] {
  const totals = new Map<string, number>();
  for (const v of values) {
    for (const part of String(v ?? '').split(',')) {
      const at = part.lastIndexOf(':');
      if (at <= 0) continue;
      totals.set(part.slice(0, at), (totals.get(part.slice(0, at)) ?? 0) + Number(part.slice(at + 1)));
    }
  }
  return [...totals]
    .map(([host, views]) => ({ host, views }))
    .sort((a, b) => b.views - a.views || a.host.localeCompare(b.host));
}
