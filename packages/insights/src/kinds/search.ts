// Search insights: per normalised query, searches, persons, zero-result searches, click-through (the
// person's next search-related event is a result click within the click window) and refinement (their next
// is a different search within the refine window); plus the top zero-result queries.
import { z } from 'zod';
import { commonFields } from '../query/common.js';
import { windowedSource } from '../sql/event-source.js';
import { lit, plainRows } from '../sql/sql-text.js';
import type { InsightKind } from './insight-kind.js';

export const SearchQuery = z
  .object({
    searchEvent: z.string().min(1).default('Search Performed'),
    clickEvent: z.string().min(1).default('Search Result Clicked'),
    clickWindowMinutes: z.number().int().min(1).max(1440).default(30),
    refineWindowMinutes: z.number().int().min(1).max(1440).default(5),
    limit: z.number().int().min(1).max(1000).default(20),
    ...commonFields,
  })
  .strict();
export type SearchQuery = z.infer<typeof SearchQuery>;

export interface SearchQueryStats {
  query: string;
  searches: number;
  persons: number;
  zeroResultSearches: number;
  clickThroughRate: number;
  refinementRate: number;
}

export interface SearchResult {
  totals: {
    searches: number;
    zeroResultRate: number | null;
    clickThroughRate: number | null;
    refinementRate: number | null;
  };
  topQueries: SearchQueryStats[];
  zeroResultQueries: SearchQueryStats[];
}

/** The search kind. */
export const search: InsightKind<SearchQuery, SearchResult> = {
  name: 'search',
  description: 'Top and zero-result queries, click-through and refinement rate per query',
  schema: SearchQuery,
  tables: ['silver.events', 'silver.identities'],
  async run(q, env) {
    const { ctes } = windowedSource(env.ctx, env.now, q);
    const [se, ce] = [lit(q.searchEvent), lit(q.clickEvent)];
    ctes.push(
      `s AS (SELECT person_id, ts_utc AS ts, message_id, event_name, lower(trim(search_query)) AS q, result_count FROM ev WHERE event_name IN (${se}, ${ce}))`,
    );
    ctes.push(
      `o AS (SELECT *, lead(event_name) OVER w AS ne, lead(ts) OVER w AS nts, lead(q) OVER w AS nq FROM s WINDOW w AS (PARTITION BY person_id ORDER BY ts, message_id))`,
    );
    ctes.push(`per AS (SELECT q, count(*) AS searches, count(DISTINCT person_id) AS persons, count(*) FILTER (WHERE result_count = 0) AS zero,
        count(*) FILTER (WHERE ne = ${ce} AND nts <= ts + INTERVAL ${q.clickWindowMinutes} MINUTE) AS clicked,
        count(*) FILTER (WHERE ne = ${se} AND nq IS DISTINCT FROM q AND nts <= ts + INTERVAL ${q.refineWindowMinutes} MINUTE) AS refined
      FROM o WHERE event_name = ${se} AND q IS NOT NULL AND q <> '' GROUP BY q)`);
    const sql = `WITH ${ctes.join(',\n')}
      SELECT * FROM (SELECT 'top' AS list, * FROM per ORDER BY searches DESC, q LIMIT ${q.limit})
      UNION ALL SELECT * FROM (SELECT 'zero', * FROM per WHERE zero > 0 ORDER BY zero DESC, q LIMIT ${q.limit})
      UNION ALL SELECT 'total', NULL, sum(searches), NULL, sum(zero), sum(clicked), sum(refined) FROM per`;
    const rows = plainRows(await env.query(sql));
    const stats = (r: Record<string, unknown>): SearchQueryStats => {
      const searches = Number(r['searches']);
      return {
        query: String(r['q']),
        searches,
        persons: Number(r['persons']),
        zeroResultSearches: Number(r['zero']),
        clickThroughRate: Number(r['clicked']) / searches,
        refinementRate: Number(r['refined']) / searches,
      };
    };
    const t = rows.find((r) => r['list'] === 'total')!;
    const searches = Number(t['searches'] ?? 0);
    const rate = (k: string): number | null => (searches ? Number(t[k]) / searches : null);
    return {
      totals: {
        searches,
        zeroResultRate: rate('zero'),
        clickThroughRate: rate('clicked'),
        refinementRate: rate('refined'),
      },
      topQueries: rows.filter((r) => r['list'] === 'top').map(stats),
      zeroResultQueries: rows.filter((r) => r['list'] === 'zero').map(stats),
    };
  },
};
