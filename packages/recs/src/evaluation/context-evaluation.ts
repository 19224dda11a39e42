// The context task of the API (`context=articleId`): given the article being read, is the next article read
// in the same visit (within 30 minutes, test period) among the top k? Lists from gold.similar_articles and the
// popularity and random baselines, from the same session as the person-level evaluation.
import type { DuckDBSession } from '@lens/lake';
import type { RankingMetrics } from './ranking-metrics.js';

/** Metrics of the next-article task; `users` counts (article, next article) pairs. */
export interface ContextMetrics {
  model: RankingMetrics;
  popularity: RankingMetrics;
  random: RankingMetrics;
}

/** One test period's context lists (pair id → ranked items) and each pair's next article. */
export interface ContextLists {
  lists: Record<keyof ContextMetrics, Map<string, string[]>>;
  relevant: Map<string, Set<string>>;
}

/**
 * Needs the tables `catalogue` and gold.* built by `evaluateRecommendations`; the test period is `T` ≤ time < `end`
 * (SQL literals; `end` undefined: no upper bound).
 */
export async function contextLists(
  db: DuckDBSession,
  T: string,
  end: string | undefined,
  k: number,
  seed: number,
): Promise<ContextLists> {
  await db.run(`CREATE OR REPLACE TABLE next_reads AS
    SELECT row_number() OVER () AS q, article_id, next_id FROM (
      SELECT article_id, lead(article_id) OVER w AS next_id, date_diff('second', timestamp, lead(timestamp) OVER w) AS gap_s
      FROM full_events WHERE event_name = 'Article Viewed' AND article_id IS NOT NULL AND timestamp >= ${T}
        ${end === undefined ? '' : `AND timestamp < ${end}`}
      WINDOW w AS (PARTITION BY actor_id ORDER BY timestamp, message_id))
    WHERE gap_s <= 1800 AND next_id <> article_id AND next_id IN (SELECT article_id FROM catalogue)
      AND article_id IN (SELECT article_id FROM gold.similar_articles)`);
  const relevant = new Map(
    (await db.all('SELECT q, next_id FROM next_reads')).map((r) => [String(r['q']), new Set([String(r['next_id'])])]),
  );
  const lists = async (sql: string): Promise<Map<string, string[]>> => {
    const out = new Map<string, string[]>();
    for (const r of await db.all(
      `SELECT q, item FROM (${sql}) QUALIFY row_number() OVER (PARTITION BY q ORDER BY o, item) <= ${k} ORDER BY q, o, item`,
    )) {
      const key = String(r['q']);
      out.set(key, [...(out.get(key) ?? []), String(r['item'])]);
    }
    return out;
  };
  return {
    relevant,
    lists: {
      model:
        await lists(`SELECT n.q, s.similar_article_id AS item, s.rank AS o FROM next_reads n JOIN gold.similar_articles s USING (article_id)
      WHERE s.similar_article_id IN (SELECT article_id FROM catalogue)`),
      popularity: await lists(`SELECT n.q, t.article_id AS item, t.rank_overall AS o FROM next_reads n
      CROSS JOIN (SELECT * FROM gold.trending_articles WHERE article_id IN (SELECT article_id FROM catalogue) ORDER BY rank_overall LIMIT ${k + 1}) t WHERE t.article_id <> n.article_id`),
      random:
        await lists(`SELECT n.q, c.article_id AS item, hash(n.q || c.article_id || '${seed}') AS o FROM next_reads n CROSS JOIN catalogue c
      WHERE c.article_id <> n.article_id`),
    },
  };
}
