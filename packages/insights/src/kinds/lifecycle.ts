// Lifecycle: per bucket, persons doing the event for the first time ever (new), again after the previous
// bucket (returning), after a gap (resurrecting), and those active in the previous bucket but not this one
// (dormant, reported negative).
import { z } from 'zod';
import { EventMatcher, Interval, commonFields } from '../query/common.js';
import { bucketGridSql, bucketSql, historyWindow, resolveWindow } from '../sql/date-window.js';
import { matcherSql, needsAllEvents, sourceCtes } from '../sql/event-source.js';
import { plainRows } from '../sql/sql-text.js';
import type { InsightKind } from './insight-kind.js';

export const LifecycleQuery = z
  .object({
    event: EventMatcher,
    interval: Interval.exclude(['hour']).default('day'),
    ...commonFields,
  })
  .strict();
export type LifecycleQuery = z.infer<typeof LifecycleQuery>;

export interface LifecycleResult {
  interval: LifecycleQuery['interval'];
  buckets: string[];
  new: number[];
  returning: number[];
  resurrecting: number[];
  /** Negative counts. */
  dormant: number[];
}

const STATUSES = ['new', 'returning', 'resurrecting', 'dormant'] as const;

/** The lifecycle kind. */
export const lifecycle: InsightKind<LifecycleQuery, LifecycleResult> = {
  name: 'lifecycle',
  description: 'New, returning, resurrecting and dormant persons per period',
  schema: LifecycleQuery,
  tables: ['silver.events', 'silver.identities'],
  async run(q, env) {
    const window = resolveWindow(q.dateRange, q.timezone, env.now);
    // "New" needs each person's whole history up to the range end.
    const history = historyWindow(window);
    const ctes = sourceCtes(env.ctx, 'ev', {
      window: history,
      filters: q.filters,
      sample: q.sample,
      allEvents: needsAllEvents(q.filters, [q.event]),
    });
    const iv = `INTERVAL 1 ${q.interval}`;
    ctes.push(
      `act AS (SELECT DISTINCT person_id, ${bucketSql(q.interval, q.timezone, history)} AS b FROM ev WHERE ${matcherSql(q.event)})`,
    );
    ctes.push(
      `l AS (SELECT person_id, b, min(b) OVER (PARTITION BY person_id) AS fb, lag(b) OVER (PARTITION BY person_id ORDER BY b) AS prev, lead(b) OVER (PARTITION BY person_id ORDER BY b) AS nxt FROM act)`,
    );
    ctes.push(`grid AS (${bucketGridSql(window, q.interval)})`);
    const sql = `WITH ${ctes.join(',\n')}, s AS (
        SELECT b, CASE WHEN b = fb THEN 'new' WHEN prev = b - ${iv} THEN 'returning' ELSE 'resurrecting' END AS status, count(*) AS n FROM l GROUP BY ALL
        UNION ALL SELECT b + ${iv}, 'dormant', -count(*) FROM l WHERE nxt IS NULL OR nxt > b + ${iv} GROUP BY ALL)
      SELECT strftime(g.bucket, '%Y-%m-%dT%H:%M:%S') AS bucket, s.status, s.n FROM grid g LEFT JOIN s ON s.b = g.bucket ORDER BY 1`;
    const rows = plainRows(await env.query(sql));
    const buckets = [...new Set(rows.map((r) => String(r['bucket'])))].sort();
    const result: LifecycleResult = {
      interval: q.interval,
      buckets,
      new: [],
      returning: [],
      resurrecting: [],
      dormant: [],
    };
    for (const status of STATUSES)
      result[status] = buckets.map((b) =>
        Number(rows.find((r) => r['bucket'] === b && r['status'] === status)?.['n'] ?? 0),
      );
    return result;
  },
};
