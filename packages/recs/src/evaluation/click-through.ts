// Click-through of served lists: lens.served_recommendations joined to `Recommendation Clicked` events in
// silver.events on list_id (a click counts when its article was in the list). Per source and reason mix.
import { createDuckDB, DeltaTable } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';

/** CTR of served lists by source (person, context, person+context, trending). */
export interface ClickThrough {
  source: string;
  lists: number;
  clickedLists: number;
  clicks: number;
  ctr: number;
}

/**
 * Joins served lists to clicks.
 * @example const rows = await clickThrough('./lens-data');
 */
export async function clickThrough(dataDir: string): Promise<ClickThrough[]> {
  const db = await createDuckDB();
  try {
    const scan = async (t: string): Promise<string> =>
      (await (await DeltaTable.open(lakeTablePath(dataDir, t), { sql: db })).scan()).sql;
    const rows = await db.all(`
      WITH served AS (SELECT * FROM (${await scan('lens.served_recommendations')})),
      clicks AS (SELECT list_id, article_id FROM (${await scan('silver.events')}) WHERE event_name = 'Recommendation Clicked' AND list_id IS NOT NULL),
      joined AS (
        SELECT s.list_id, s.source, c.article_id FROM served s
        LEFT JOIN clicks c ON c.list_id = s.list_id AND list_contains(string_split(s.article_ids, ','), c.article_id)
      )
      SELECT source, count(DISTINCT list_id) AS lists, count(DISTINCT list_id) FILTER (WHERE article_id IS NOT NULL) AS clicked_lists,
             count(article_id) AS clicks
      FROM joined GROUP BY source ORDER BY source`);
    return rows.map((r) => {
      const lists = Number(r['lists']);
      const clickedLists = Number(r['clicked_lists']);
      return {
        source: String(r['source']),
        lists,
        clickedLists,
        clicks: Number(r['clicks']),
        ctr: lists === 0 ? 0 : clickedLists / lists,
      };
    });
  } finally {
    db.close();
  }
}
