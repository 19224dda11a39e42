// Retention: cohorts of persons by their first (or every) start event per day/week/month, and how many come
// back with the return event in each later period — "on" that period, or "on or after" it. Periods not yet
// observed (after the newest event) are null rather than zero.
import { z } from 'zod';
import { EventMatcher, commonFields } from '../query/common.js';
import { bucketSql, extendWindow, historyWindow, localRowSql, localTs, resolveWindow } from '../sql/date-window.js';
import { matcherSql, needsAllEvents, sourceCtes } from '../sql/event-source.js';
import { lit, plainRows } from '../sql/sql-text.js';
import type { InsightKind } from './insight-kind.js';

export const RetentionQuery = z
  .object({
    startEvent: EventMatcher,
    returnEvent: EventMatcher,
    /** first_time: cohort = period of the person's first-ever start event; recurring: every period with one. */
    cohort: z.enum(['first_time', 'recurring']).default('first_time'),
    period: z.enum(['day', 'week', 'month']).default('week'),
    /** Periods after the cohort's own (period 0) to report. */
    periods: z.number().int().min(1).max(100).default(8),
    mode: z.enum(['on', 'on_or_after']).default('on'),
    ...commonFields,
  })
  .strict();
export type RetentionQuery = z.infer<typeof RetentionQuery>;

/** One cohort row: counts and rates for periods 0..N (null = not observed yet). */
export interface RetentionCohort {
  cohort: string;
  size: number;
  values: (number | null)[];
  rates: (number | null)[];
}

export interface RetentionResult {
  period: RetentionQuery['period'];
  mode: RetentionQuery['mode'];
  cohorts: RetentionCohort[];
  /** Per period: returning persons over cohort sizes, across cohorts that observed it. */
  average: (number | null)[];
}

const SECONDS = { day: 86_400, week: 604_800, month: 31 * 86_400 } as const;

/** The retention kind. */
export const retention: InsightKind<RetentionQuery, RetentionResult> = {
  name: 'retention',
  description: 'Cohorts by start event and the share returning in later periods',
  schema: RetentionQuery,
  tables: ['silver.events', 'silver.identities'],
  async run(q, env) {
    const window = resolveWindow(q.dateRange, q.timezone, env.now);
    const p = q.period;
    const all = needsAllEvents(q.filters, [q.startEvent, q.returnEvent]);
    const ahead = extendWindow(window, 0, (q.periods + 1) * SECONDS[p]);
    const ctes = sourceCtes(env.ctx, 'ev', { window: ahead, filters: q.filters, sample: q.sample, allEvents: all });
    // First-time cohorts need the person's whole history before the range.
    if (q.cohort === 'first_time')
      ctes.push(
        ...sourceCtes(env.ctx, 'evh', {
          window: historyWindow(ahead),
          filters: q.filters,
          sample: q.sample,
          allEvents: false,
        }),
      );
    const span = historyWindow(ahead);
    const b = bucketSql(p, q.timezone, span);
    const lo = `date_trunc(${lit(p)}, ${localTs(window.fromSql, q.timezone)})`;
    const hi = localTs(window.toSql, q.timezone);
    // On the warm table: the dense person index and event-name codes (integer keys scan and group faster).
    let person = 'person_id';
    let codes: ReadonlyMap<string, number> | undefined;
    if (env.nameCodes) {
      codes = await env.nameCodes();
      person = 'pidx';
    }
    const [start, back] = [matcherSql(q.startEvent, codes), matcherSql(q.returnEvent, codes)];
    const inRange = `timestamp >= ${window.fromSql} AND timestamp < ${window.toSql}`;
    // One pass: each person's periods with a start event (s: one that may open a cohort) and a return event
    // (r: inside the range or after it). The cohorts and the returns are both read from it.
    ctes.push(
      `pb AS (SELECT ${person} AS person_id, ${b} AS b, bool_or(${start} AND ${q.cohort === 'first_time' ? `timestamp < ${window.toSql}` : inRange}) AS s, bool_or(${back} AND timestamp >= ${window.fromSql}) AS r
        FROM ${q.cohort === 'first_time' ? 'evh' : 'ev'} WHERE ${start} OR ${back} GROUP BY 1, 2)`,
    );
    ctes.push(
      q.cohort === 'first_time'
        ? `cohorts AS (SELECT person_id, min(b) FILTER (WHERE s) AS cohort FROM pb GROUP BY 1 HAVING cohort >= ${lo} AND cohort < ${hi})`
        : `cohorts AS (SELECT person_id, b AS cohort FROM pb WHERE s)`,
    );
    // (cohort, person, k) is unique: one row of pb per person and period.
    ctes.push(
      `ret AS (SELECT c.cohort, c.person_id, datediff(${lit(p)}, c.cohort, pb.b) AS k FROM cohorts c JOIN pb ON pb.person_id = c.person_id AND pb.b >= c.cohort WHERE pb.r AND datediff(${lit(p)}, c.cohort, pb.b) <= ${q.periods})`,
    );
    const agg =
      q.mode === 'on'
        ? `SELECT 'ret' AS t, cohort, k, count(*) AS n FROM ret GROUP BY ALL`
        : `SELECT 'max' AS t, cohort, mk AS k, count(*) AS n FROM (SELECT cohort, person_id, max(k) AS mk FROM ret GROUP BY ALL) GROUP BY ALL`;
    // The newest period observed: truncating is monotonic, so truncate the maximum rather than every row.
    const sql = `WITH ${ctes.join(',\n')}
      SELECT 'size' AS t, strftime(cohort, '%Y-%m-%dT%H:%M:%S') AS cohort, NULL::BIGINT AS k, count(*) AS n FROM cohorts GROUP BY ALL
      UNION ALL SELECT t, strftime(cohort, '%Y-%m-%dT%H:%M:%S'), k, n FROM (${agg})
      UNION ALL SELECT 'seen', strftime(date_trunc(${lit(p)}, max(${localRowSql(q.timezone, span)})), '%Y-%m-%dT%H:%M:%S'), NULL, NULL FROM ev`;
    const rows = plainRows(await env.query(sql));
    const seen = rows.find((r) => r['t'] === 'seen')?.['cohort'] as string | null;
    const cohorts = rows
      .filter((r) => r['t'] === 'size')
      .map((r) => String(r['cohort']))
      .sort();
    const out: RetentionCohort[] = cohorts.map((c) => {
      const size = Number(rows.find((r) => r['t'] === 'size' && r['cohort'] === c)!['n']);
      const values = Array.from({ length: q.periods + 1 }, (_, k) => {
        if (seen === null || periodStart(c, p, k) > seen) return null;
        if (q.mode === 'on')
          return Number(rows.find((r) => r['t'] === 'ret' && r['cohort'] === c && r['k'] === k)?.['n'] ?? 0);
        return rows
          .filter((r) => r['t'] === 'max' && r['cohort'] === c && Number(r['k']) >= k)
          .reduce((t, r) => t + Number(r['n']), 0);
      });
      return { cohort: c, size, values, rates: values.map((v) => (v === null || size === 0 ? null : v / size)) };
    });
    const average = Array.from({ length: q.periods + 1 }, (_, k) => {
      const observed = out.filter((c) => c.values[k] !== null);
      const sizes = observed.reduce((t, c) => t + c.size, 0);
      return sizes === 0 ? null : observed.reduce((t, c) => t + c.values[k]!, 0) / sizes;
    });
    return { period: p, mode: q.mode, cohorts: out, average };
  },
};

/** Local start of period k after the cohort's (ISO local text, comparable as strings). */
function periodStart(cohort: string, p: RetentionQuery['period'], k: number): string {
  const d = new Date(`${cohort}Z`);
  if (p === 'day') d.setUTCDate(d.getUTCDate() + k);
  else if (p === 'week') d.setUTCDate(d.getUTCDate() + 7 * k);
  else d.setUTCMonth(d.getUTCMonth() + k);
  return d.toISOString().slice(0, 19);
}
