// The SQL turning gold tables into KeyValueStore entries (key, JSON value) of one version: a list per person,
// per article and per site, what each person read of the top-up candidates, and device → person links. Large
// tables are read in hash buckets so a load's memory stays bounded whatever the number of people.
//
// The per-person families (lists, reads, links) can also be loaded as a *layer*: only the keys whose value differs
// between the table version already served and the newest one, with an empty value (a tombstone) for a key that
// is gone. Incremental training recomputes only the people who read something, so a layer is small; a request
// reads the newest layer holding the key (kv-layout.ts).

/** A query of entries, run once per bucket. */
export interface ListQuery {
  buckets: number;
  sql: (bucket: number, buckets: number) => string;
}

/** One key family: how its entries come out of a table. */
interface Family {
  /** Key infix: `p` person list, `a` article neighbours, `t` trending, `r` reads, `id` device link. */
  kind: 'p' | 'a' | 't' | 'r' | 'id';
  table: string;
  buckets: number;
  /** Per-person families are loaded as layers of changes. */
  layered: boolean;
  /** The table's column holding the key's suffix. */
  key: string;
  /** `SELECT k, v` (the key's suffix and its value as a DuckDB value) of `scan`'s bucket b of n. */
  rows: (scan: string, b: number, n: number) => string;
  /**
   * Of a layered family, `SELECT k, h`: per key of bucket b of n, a hash of its rows (their hashes xor-ed, so no
   * value is built to compare two versions).
   */
  hashes?: (scan: string, b: number, n: number) => string;
  /** The value as stored (JSON text, or the text itself for links). */
  text: (v: string) => string;
  /** What a layer stores for a key that is gone: it hides the key's value in older layers. */
  tombstone: string;
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
const json = (v: string): string => `to_json(${v})::VARCHAR`;
const trendingItem = item('article_id', 'score', `'trending'`, 'NULL', 'section', 'site', 'published_at');

const FAMILIES: readonly Family[] = [
  {
    kind: 'p',
    table: 'gold.recommendations',
    buckets: 16,
    layered: true,
    key: 'person_id',
    hashes: (scan, b, n) => `SELECT person_id AS k,
        bit_xor(hash(article_id, rank, round(score, 6), reason, because_article_id, section, site, published_at)) AS h
        FROM (${scan}) WHERE hash(person_id) % ${n} = ${b} GROUP BY person_id`,
    rows: (scan, b, n) => `SELECT person_id AS k,
        list(${item('article_id', 'score', 'reason', 'because_article_id', 'section', 'site', 'published_at')} ORDER BY rank) AS v
        FROM (${scan}) WHERE hash(person_id) % ${n} = ${b} GROUP BY person_id`,
    text: json,
    tombstone: '[]',
  },
  {
    kind: 'a',
    table: 'gold.similar_articles',
    buckets: 4,
    layered: false,
    key: 'article_id',
    rows: (scan, b, n) => `SELECT article_id AS k,
        list(${item('similar_article_id', 'score', 'reason', 'NULL', 'similar_section', 'similar_site', 'similar_published_at')} ORDER BY rank) AS v
        FROM (${scan}) WHERE hash(article_id) % ${n} = ${b} GROUP BY article_id`,
    text: json,
    tombstone: '[]',
  },
  {
    kind: 't',
    table: 'gold.trending_articles',
    buckets: 1,
    layered: false,
    key: 'site',
    rows: (
      scan,
    ) => `SELECT '*' AS k, list(${trendingItem} ORDER BY rank_overall) AS v FROM (${scan}) WHERE rank_overall <= 100
        UNION ALL
        SELECT site, list(${trendingItem} ORDER BY rank_in_site) FROM (${scan}) WHERE rank_in_site <= 100 GROUP BY site`,
    text: json,
    tombstone: '[]',
  },
  {
    kind: 'r',
    table: 'gold.recent_reads',
    buckets: 16,
    layered: true,
    key: 'person_id',
    hashes: (scan, b, n) => `SELECT person_id AS k, bit_xor(hash(article_id)) AS h
        FROM (${scan}) WHERE hash(person_id) % ${n} = ${b} GROUP BY person_id`,
    rows: (scan, b, n) => `SELECT person_id AS k, list(article_id ORDER BY article_id) AS v
        FROM (${scan}) WHERE hash(person_id) % ${n} = ${b} GROUP BY person_id`,
    text: json,
    tombstone: '[]',
  },
  {
    kind: 'id',
    table: 'silver.identities',
    buckets: 4,
    layered: true,
    key: 'anonymous_id',
    hashes: (scan, b, n) => `SELECT anonymous_id AS k, hash(person_id) AS h
        FROM (${scan}) WHERE person_id IS NOT NULL AND person_id <> anonymous_id AND hash(anonymous_id) % ${n} = ${b}`,
    rows: (scan, b, n) => `SELECT anonymous_id AS k, person_id AS v
        FROM (${scan}) WHERE person_id IS NOT NULL AND person_id <> anonymous_id AND hash(anonymous_id) % ${n} = ${b}`,
    text: (v) => v,
    tombstone: '',
  },
];

/** The tables whose families are loaded as layers (their versions are diffed). */
export const LAYERED_TABLES: readonly string[] = FAMILIES.filter((f) => f.layered).map((f) => f.table);

/**
 * The queries writing version `version` whole, over the scans (SQL) of the gold tables and silver.identities; a
 * table missing from `scans` (an optional one) is skipped.
 */
export function listQueries(version: string, scans: Record<string, string>): ListQuery[] {
  return FAMILIES.filter((f) => scans[f.table] !== undefined).map((f) => ({
    buckets: f.buckets,
    sql: (b, n) =>
      `SELECT ${lit(`recs:v:${version}:${f.kind}:`)} || k AS key, ${f.text('v')} AS value FROM (${f.rows(scans[f.table]!, b, n)})`,
  }));
}

/** Per bucket: `changed` person lists between `before` and `scans` (new, gone or different) and `people` now. */
export function listChangeCount(scans: Record<string, string>, before: Record<string, string>): ListQuery {
  const f = FAMILIES.find((x) => x.kind === 'p')!;
  return {
    buckets: f.buckets,
    sql: (b, n) => `WITH o AS (${f.hashes!(before[f.table]!, b, n)}), n AS (${f.hashes!(scans[f.table]!, b, n)})
      SELECT count(*) FILTER (WHERE n.h IS DISTINCT FROM o.h) AS changed, count(n.k) AS people
      FROM n FULL OUTER JOIN o ON o.k = n.k`,
  };
}

/**
 * The queries writing layer `version`: the unlayered families whole, and of the layered ones only the keys whose
 * value differs between `before` (the scans of the versions served) and `scans`, a tombstone for a key gone.
 */
export function layerQueries(
  version: string,
  scans: Record<string, string>,
  before: Record<string, string>,
): ListQuery[] {
  const whole = listQueries(
    version,
    Object.fromEntries(Object.entries(scans).filter(([t]) => !LAYERED_TABLES.includes(t))),
  );
  const changed = FAMILIES.filter((f) => f.layered && scans[f.table] !== undefined).map((f): ListQuery => ({
    buckets: f.buckets,
    sql: (b, n) => {
      const old =
        before[f.table] === undefined
          ? 'SELECT NULL::VARCHAR AS k, NULL::UBIGINT AS h WHERE FALSE'
          : f.hashes!(before[f.table]!, b, n);
      // Values are built only for the keys that changed.
      const scan = scans[f.table]!;
      return `WITH o AS (${old}), nh AS (${f.hashes!(scan, b, n)}),
          d AS (SELECT coalesce(nh.k, o.k) AS k, nh.k IS NULL AS gone FROM nh FULL OUTER JOIN o ON o.k = nh.k
                WHERE nh.k IS NULL OR o.k IS NULL OR nh.h <> o.h),
          n AS (${f.rows(`SELECT * FROM (${scan}) WHERE ${f.key} IN (SELECT k FROM d WHERE NOT gone)`, b, n)})
        SELECT ${lit(`recs:v:${version}:${f.kind}:`)} || d.k AS key,
          CASE WHEN d.gone THEN ${lit(f.tombstone)} ELSE ${f.text('n.v')} END AS value
        FROM d LEFT JOIN n ON n.k = d.k`;
    },
  }));
  return [...whole, ...changed];
}
