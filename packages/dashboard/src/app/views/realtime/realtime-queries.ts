// SQL of the Realtime view over bronze.events (the source trending reads, so the numbers agree): events per
// minute, active readers, per-article sparklines, titles. `now` is the server clock, or a pinned instant.
import { sqlString } from '../../api/sql-api';

/** Filters shared by every Realtime query. */
export interface RealtimeScope {
  minutes: number;
  site?: string;
  section?: string;
  now?: string;
}

const nowSql = (s: RealtimeScope) => (s.now ? `TIMESTAMPTZ ${sqlString(s.now)}` : 'now()');

const PAGE_HOST = `regexp_extract(json_extract_string(context, '$.page.url'), '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)', 1)`;

function where(s: RealtimeScope, minutes: number, extra = ''): string {
  const now = nowSql(s);
  const parts = [
    // Partition pruning first: the bronze partitions of the window's days only.
    `event_date >= CAST(${now} - INTERVAL ${minutes} MINUTE AS DATE) - 1`,
    `timestamp > ${now} - INTERVAL ${minutes} MINUTE`,
    `timestamp <= ${now}`,
    'NOT is_bot',
  ];
  if (s.site) {
    // Only article views name their site (properties.site): the site's other events (home pages, searches,
    // paywalls …) are known by the hosts its article views were read on in the same window.
    const site = sqlString(s.site);
    parts.push(
      `(json_extract_string(properties, '$.site') = ${site} OR ${PAGE_HOST} IN (SELECT ${PAGE_HOST} FROM bronze.events WHERE ${parts.join(' AND ')} AND json_extract_string(properties, '$.site') = ${site} AND ${PAGE_HOST} <> ''))`,
    );
  }
  if (s.section) parts.push(`json_extract_string(properties, '$.section') = ${sqlString(s.section)}`);
  if (extra) parts.push(extra);
  return parts.join(' AND ');
}

/** Events per minute over the last 30 minutes, and readers active in the last 5 (distinct person or device). */
export function pulseSql(s: RealtimeScope): string {
  const now = nowSql(s);
  return `SELECT CAST(floor(epoch(${now} - timestamp) / 60) AS INTEGER) AS minutes_ago, count(*) AS events,
      count(DISTINCT coalesce(user_id, anonymous_id)) AS readers
    FROM bronze.events WHERE ${where(s, 30)} GROUP BY 1 ORDER BY 1`;
}

/** Distinct readers of the last 5 minutes (not derivable from per-minute distinct counts). */
export function activeReadersSql(s: RealtimeScope): string {
  return `SELECT count(DISTINCT coalesce(user_id, anonymous_id)) AS active, count(*) AS events FROM bronze.events WHERE ${where(s, 5)}`;
}

/** Views per article in 12 equal buckets of the window (bucket 0 = most recent), for sparklines, with the
 * title the views carried (bronze has it at once; silver.content is refreshed less often). */
export function sparklineSql(s: RealtimeScope, articleIds: readonly string[]): string {
  const bucketSeconds = (s.minutes * 60) / 12;
  const ids = articleIds.map(sqlString).join(', ');
  return `SELECT json_extract_string(properties, '$.article_id') AS article_id,
      least(11, CAST(floor(epoch(${nowSql(s)} - timestamp) / ${bucketSeconds}) AS INTEGER)) AS bucket, count(*) AS views,
      max(json_extract_string(properties, '$.title')) AS title
    FROM bronze.events WHERE ${where(s, s.minutes, `event = 'Article Viewed' AND json_extract_string(properties, '$.article_id') IN (${ids})`)} GROUP BY ALL`;
}

/** Sites and sections known to silver.content, for the filters. */
export const SCOPES_SQL = `SELECT DISTINCT site, section FROM silver.content WHERE site IS NOT NULL ORDER BY 1, 2`;

/** Article views per site and section over the window, most viewed first. */
export function sectionsSql(s: RealtimeScope): string {
  return `SELECT json_extract_string(properties, '$.site') AS site, json_extract_string(properties, '$.section') AS section, count(*) AS views,
      count(DISTINCT coalesce(user_id, anonymous_id)) AS readers
    FROM bronze.events WHERE ${where(s, s.minutes, `event = 'Article Viewed'`)} GROUP BY ALL ORDER BY views DESC, site, section LIMIT 30`;
}
