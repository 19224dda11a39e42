// Affinity between sections (or articles): co_read — read by the same persons in the range — or next_read —
// the next article a person reads in the same session. Each pair A→B has support (share of persons or
// transitions with both), confidence P(B | A) and lift confidence / P(B).
import { z } from 'zod';
import { commonFields } from '../query/common.js';
import { windowedSource } from '../sql/event-source.js';
import { lit, plainRows } from '../sql/sql-text.js';
import type { InsightKind } from './insight-kind.js';

export const AffinityQuery = z
  .object({
    level: z.enum(['section', 'article']).default('section'),
    mode: z.enum(['co_read', 'next_read']).default('co_read'),
    /** The reading event. */
    event: z.string().min(1).default('Article Viewed'),
    /** Pairs seen fewer times (persons, or transitions) are left out. */
    minSupport: z.number().int().min(1).default(1),
    sessionGapMinutes: z.number().int().min(1).max(1440).default(30),
    limit: z.number().int().min(1).max(10_000).default(100),
    ...commonFields,
  })
  .strict();
export type AffinityQuery = z.infer<typeof AffinityQuery>;

export interface AffinityPair {
  from: string;
  to: string;
  count: number;
  support: number;
  confidence: number;
  lift: number;
}

export interface AffinityResult {
  level: AffinityQuery['level'];
  mode: AffinityQuery['mode'];
  /** Persons (co_read) or transitions (next_read) counted. */
  total: number;
  pairs: AffinityPair[];
}

/** The affinity kind. */
export const affinity: InsightKind<AffinityQuery, AffinityResult> = {
  name: 'affinity',
  description: 'Sections or articles read together: support, confidence and lift',
  schema: AffinityQuery,
  tables: ['silver.events', 'silver.identities'],
  async run(q, env) {
    const { ctes } = windowedSource(env.ctx, env.now, q);
    const item = q.level === 'section' ? 'section' : 'article_id';
    const reads = `SELECT person_id, ts_utc AS ts, message_id, ${item} AS item FROM ev WHERE event_name = ${lit(q.event)} AND ${item} IS NOT NULL`;
    if (q.mode === 'co_read') {
      ctes.push(`items AS (SELECT DISTINCT person_id, item FROM (${reads}))`);
      ctes.push(`total AS (SELECT count(DISTINCT person_id)::DOUBLE AS n FROM items)`);
      ctes.push(`ic AS (SELECT item, count(*) AS c FROM items GROUP BY 1)`);
      ctes.push(
        `pairs AS (SELECT a.item AS a, b.item AS b, count(*) AS ab FROM items a JOIN items b ON a.person_id = b.person_id AND a.item <> b.item GROUP BY ALL HAVING count(*) >= ${q.minSupport})`,
      );
      ctes.push(`fromc AS (SELECT item, c AS c FROM ic)`);
      ctes.push(`toc AS (SELECT item, c AS c FROM ic)`);
    } else {
      ctes.push(`g AS (SELECT *, sum(CASE WHEN prev IS NULL OR ts > prev + INTERVAL ${q.sessionGapMinutes} MINUTE THEN 1 ELSE 0 END) OVER (PARTITION BY person_id ORDER BY ts, message_id) AS sess
        FROM (SELECT *, lag(ts) OVER (PARTITION BY person_id ORDER BY ts, message_id) AS prev FROM (${reads})))`);
      ctes.push(
        `tr AS (SELECT item AS a, lead(item) OVER (PARTITION BY person_id, sess ORDER BY ts, message_id) AS b FROM g)`,
      );
      ctes.push(`all_pairs AS (SELECT a, b, count(*) AS ab FROM tr WHERE b IS NOT NULL GROUP BY ALL)`);
      ctes.push(`total AS (SELECT sum(ab)::DOUBLE AS n FROM all_pairs)`);
      ctes.push(`fromc AS (SELECT a AS item, sum(ab) AS c FROM all_pairs GROUP BY 1)`);
      ctes.push(`toc AS (SELECT b AS item, sum(ab) AS c FROM all_pairs GROUP BY 1)`);
      ctes.push(`pairs AS (SELECT * FROM all_pairs WHERE ab >= ${q.minSupport})`);
    }
    const sql = `WITH ${ctes.join(',\n')}
      SELECT p.a, p.b, p.ab, p.ab / t.n AS support, p.ab / f.c AS confidence, (p.ab / f.c) / (o.c / t.n) AS lift, t.n AS total
      FROM pairs p, total t, fromc f, toc o WHERE f.item = p.a AND o.item = p.b
      ORDER BY lift DESC, p.ab DESC, p.a, p.b LIMIT ${q.limit}`;
    const rows = plainRows(await env.query(sql));
    const total = rows.length
      ? Number(rows[0]!['total'])
      : Number((await env.query(`WITH ${ctes.join(',\n')} SELECT coalesce(n, 0) AS n FROM total`))[0]?.['n'] ?? 0);
    return {
      level: q.level,
      mode: q.mode,
      total,
      pairs: rows.map((r) => ({
        from: String(r['a']),
        to: String(r['b']),
        count: Number(r['ab']),
        support: Number(r['support']),
        confidence: Number(r['confidence']),
        lift: Number(r['lift']),
      })),
    };
  },
};
