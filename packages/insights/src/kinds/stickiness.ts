// Stickiness: how many days (or weeks) of the range each person did the event — the distribution of persons
// over 1..N active periods.
import { z } from 'zod';
import { EventMatcher, commonFields } from '../query/common.js';
import { bucketGridSql, bucketSql } from '../sql/date-window.js';
import { matcherSql, windowedSource } from '../sql/event-source.js';
import { plainRows } from '../sql/sql-text.js';
import type { InsightKind } from './insight-kind.js';

export const StickinessQuery = z
  .object({
    event: EventMatcher,
    interval: z.enum(['day', 'week']).default('day'),
    ...commonFields,
  })
  .strict();
export type StickinessQuery = z.infer<typeof StickinessQuery>;

export interface StickinessResult {
  interval: 'day' | 'week';
  /** Periods in the range. */
  periods: number;
  /** Persons active in exactly k periods, k = 1..periods. */
  counts: { periods: number; persons: number; share: number | null }[];
}

/** The stickiness kind. */
export const stickiness: InsightKind<StickinessQuery, StickinessResult> = {
  name: 'stickiness',
  description: 'Persons by the number of days (weeks) in the range they did the event',
  schema: StickinessQuery,
  tables: ['silver.events', 'silver.identities'],
  async run(q, env) {
    const { window, ctes } = windowedSource(env.ctx, env.now, q, [q.event]);
    const sql = `WITH ${ctes.join(',\n')}, grid AS (${bucketGridSql(window, q.interval)})
      SELECT 'k' AS t, k, count(*) AS n FROM (SELECT person_id, count(DISTINCT ${bucketSql(q.interval, q.timezone, window)}) AS k FROM ev WHERE ${matcherSql(q.event)} GROUP BY 1) GROUP BY ALL
      UNION ALL SELECT 'periods', NULL, count(*) FROM grid`;
    const rows = plainRows(await env.query(sql));
    const periods = Number(rows.find((r) => r['t'] === 'periods')!['n']);
    const total = rows.filter((r) => r['t'] === 'k').reduce((t, r) => t + Number(r['n']), 0);
    const counts = Array.from({ length: periods }, (_, i) => {
      const persons = Number(rows.find((r) => r['t'] === 'k' && Number(r['k']) === i + 1)?.['n'] ?? 0);
      return { periods: i + 1, persons, share: total ? persons / total : null };
    });
    return { interval: q.interval, periods, counts };
  },
};
