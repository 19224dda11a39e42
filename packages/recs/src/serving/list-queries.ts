// The SQL turning gold tables into KeyValueStore entries (key, JSON value) of one version: a list per person,
// per article and per site, what each person read of the top-up candidates, and device → person links. Large
// tables are read in hash buckets so a load's memory stays bounded whatever the number of people.

/** A query of entries, run once per bucket. */
export interface ListQuery {
  buckets: number;
  sql: (bucket: number, buckets: number) => string;
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const item = (
  article: string,
  score: string,
  reason: string,
  because: string,
  section: string,
  site: string,
  published: string,
): string =>
  `{'a': ${article}, 's': round(${score}, 6), 'r': ${reason}, 'b': ${because}, 'sec': ${section}, 'site': ${site}, 'pub': epoch_ms(${published})}`;

/** The queries for `version` over the scans (SQL) of the gold tables and silver.identities. */
export function listQueries(version: string, scans: Record<string, string>): ListQuery[] {
  const prefix = lit(`recs:v:${version}:`);
  const recs = scans['gold.recommendations']!;
  const similar = scans['gold.similar_articles']!;
  const trending = scans['gold.trending_articles']!;
  const identities = scans['silver.identities']!;
  const reads = scans['gold.recent_reads'];
  const trendingItem = item('article_id', 'score', `'trending'`, 'NULL', 'section', 'site', 'published_at');
  return [
    {
      buckets: 16,
      sql: (b, n) => `SELECT ${prefix} || 'p:' || person_id AS key,
        to_json(list(${item('article_id', 'score', 'reason', 'because_article_id', 'section', 'site', 'published_at')} ORDER BY rank))::VARCHAR AS value
        FROM (${recs}) WHERE hash(person_id) % ${n} = ${b} GROUP BY person_id`,
    },
    {
      buckets: 4,
      sql: (b, n) => `SELECT ${prefix} || 'a:' || article_id AS key,
        to_json(list(${item('similar_article_id', 'score', 'reason', 'NULL', 'similar_section', 'similar_site', 'similar_published_at')} ORDER BY rank))::VARCHAR AS value
        FROM (${similar}) WHERE hash(article_id) % ${n} = ${b} GROUP BY article_id`,
    },
    {
      buckets: 1,
      sql: () => `SELECT ${prefix} || 't:*' AS key, to_json(list(${trendingItem} ORDER BY rank_overall))::VARCHAR AS value
          FROM (${trending}) WHERE rank_overall <= 100
        UNION ALL
        SELECT ${prefix} || 't:' || site, to_json(list(${trendingItem} ORDER BY rank_in_site))::VARCHAR
          FROM (${trending}) WHERE rank_in_site <= 100 GROUP BY site`,
    },
    ...(reads === undefined
      ? []
      : [
          {
            buckets: 16,
            sql: (b: number, n: number) => `SELECT ${prefix} || 'r:' || person_id AS key,
              to_json(list(article_id ORDER BY article_id))::VARCHAR AS value
              FROM (${reads}) WHERE hash(person_id) % ${n} = ${b} GROUP BY person_id`,
          },
        ]),
    {
      buckets: 4,
      sql: (b, n) => `SELECT ${prefix} || 'id:' || anonymous_id AS key, person_id AS value
        FROM (${identities}) WHERE person_id IS NOT NULL AND person_id <> anonymous_id AND hash(anonymous_id) % ${n} = ${b}`,
    },
  ];
}
