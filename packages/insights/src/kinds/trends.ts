// Trends (event segmentation): per series of events, a value per time bucket — totals, unique persons,
// DAU/WAU/MAU, per-person statistics or a numeric property's aggregate — broken down by a property's top
// values, with formulas across series (A/B, A−B).
import { z } from 'zod';
import { Breakdown, EventMatcher, Interval, PropertyName, commonFields } from '../query/common.js';
import {
  bucketGridSql,
  bucketSql,
  extendWindow,
  localRowSql,
  resolveWindow,
  type DateWindow,
} from '../sql/date-window.js';
import {
  breakdownCtes,
  breakdownValueSql,
  matcherSql,
  needsAllEvents,
  propertySql,
  sourceCtes,
} from '../sql/event-source.js';
import { lit, plainRows } from '../sql/sql-text.js';
import { InsightQueryError } from '../errors.js';
import { compileFormula } from './formula.js';
import type { InsightKind } from './insight-kind.js';

const PROPERTY_MATH = ['sum', 'avg', 'min', 'max', 'median', 'p90'] as const;
const ACTIVE_DAYS = { dau: 1, wau: 7, mau: 30 } as const;

/** One series: which events, and the math applied per bucket. */
export const TrendSeries = EventMatcher.extend({
  math: z
    .enum([
      'total',
      'unique',
      'dau',
      'wau',
      'mau',
      'per_person_avg',
      'per_person_median',
      'per_person_p90',
      ...PROPERTY_MATH,
    ])
    .default('total'),
  /** The numeric property of sum/avg/min/max/median/p90. */
  property: PropertyName.optional(),
})
  .strict()
  .superRefine((s, ctx) => {
    if ((PROPERTY_MATH as readonly string[]).includes(s.math) && s.property === undefined)
      ctx.addIssue({ code: 'custom', path: ['property'], message: `required for math ${s.math}` });
  });
export type TrendSeries = z.infer<typeof TrendSeries>;

export const TrendsQuery = z
  .object({
    series: z.array(TrendSeries).min(1).max(26),
    interval: Interval.default('day'),
    breakdown: Breakdown.optional(),
    /** Over series letters A, B, …: e.g. "A/B", "(A-B)*100". */
    formula: z.string().max(200).optional(),
    ...commonFields,
  })
  .strict();
export type TrendsQuery = z.infer<typeof TrendsQuery>;

/** One line of the result. */
export interface TrendLine {
  label: string;
  event?: string;
  math?: string;
  breakdown: string | null;
  values: (number | null)[];
  /** Sum over buckets for additive math (total, sum); null otherwise. */
  total: number | null;
}

export interface TrendsResult {
  interval: Interval;
  timezone: string;
  buckets: string[];
  series: TrendLine[];
  formula?: { expression: string; series: TrendLine[] };
}

const letter = (i: number): string => String.fromCharCode(65 + i);

function seriesSql(s: TrendSeries, i: number, q: TrendsQuery, bd: string, span: DateWindow): string {
  const bucket = bucketSql(q.interval, q.timezone, span);
  const inRange = `timestamp >= __w_from`;
  const head = `SELECT ${lit(letter(i))} AS s, ${bucket} AS bucket, ${bd} AS bd`;
  const where = `WHERE ${matcherSql(s)}`;
  const prop = s.property === undefined ? '' : `TRY_CAST(${propertySql(s.property)} AS DOUBLE)`;
  switch (s.math) {
    case 'total':
      return `${head}, count(*)::DOUBLE AS value FROM ev ${where} AND ${inRange} GROUP BY ALL`;
    case 'unique':
      return `${head}, count(DISTINCT person_id)::DOUBLE AS value FROM ev ${where} AND ${inRange} GROUP BY ALL`;
    case 'sum':
      return `${head}, sum(${prop}) AS value FROM ev ${where} AND ${inRange} GROUP BY ALL`;
    case 'avg':
    case 'min':
    case 'max':
    case 'median':
      return `${head}, ${s.math}(${prop}) AS value FROM ev ${where} AND ${inRange} GROUP BY ALL`;
    case 'p90':
      return `${head}, quantile_cont(${prop}, 0.9) AS value FROM ev ${where} AND ${inRange} GROUP BY ALL`;
    case 'per_person_avg':
    case 'per_person_median':
    case 'per_person_p90': {
      const agg =
        s.math === 'per_person_avg' ? 'avg(c)' : s.math === 'per_person_median' ? 'median(c)' : 'quantile_cont(c, 0.9)';
      return `SELECT s, bucket, bd, ${agg}::DOUBLE AS value FROM (${head}, person_id, count(*) AS c FROM ev ${where} AND ${inRange} GROUP BY ALL) GROUP BY ALL`;
    }
    case 'dau':
    case 'wau':
    case 'mau': {
      const unit = q.interval === 'hour' ? 'hour' : 'day';
      const days = ACTIVE_DAYS[s.math];
      const active = `SELECT DISTINCT person_id, ${bd} AS bd, date_trunc('${unit}', ${localRowSql(q.timezone, span)}) AS t FROM ev ${where}`;
      return `SELECT ${lit(letter(i))} AS s, g.bucket, a.bd, count(DISTINCT a.person_id)::DOUBLE AS value FROM __grid g JOIN (${active}) a
        ON a.t >= g.bucket + INTERVAL 1 ${q.interval} - INTERVAL ${days} DAY AND a.t < g.bucket + INTERVAL 1 ${q.interval} GROUP BY ALL`;
    }
  }
}

const ADDITIVE = new Set(['total', 'unique', 'dau', 'wau', 'mau', 'sum']);

/** The trends kind. */
export const trends: InsightKind<TrendsQuery, TrendsResult> = {
  name: 'trends',
  description: 'Event segmentation: series over time with math, breakdown and formulas',
  schema: TrendsQuery,
  tables: ['silver.events', 'silver.identities'],
  async run(q, env) {
    let formula: ReturnType<typeof compileFormula> | undefined;
    try {
      formula =
        q.formula === undefined
          ? undefined
          : compileFormula(
              q.formula,
              q.series.map((_, i) => letter(i)),
            );
    } catch (error) {
      // A formula the parser refuses is the query's fault: 400 naming the field, not a 500.
      if (error instanceof SyntaxError) throw new InsightQueryError('formula', error.message);
      throw error;
    }
    const window = resolveWindow(q.dateRange, q.timezone, env.now);
    const lookback =
      Math.max(
        0,
        ...q.series.map((s) => (s.math in ACTIVE_DAYS ? ACTIVE_DAYS[s.math as keyof typeof ACTIVE_DAYS] : 0)),
      ) * 86_400;
    const span = extendWindow(window, lookback, 0);
    const ctes = sourceCtes(env.ctx, 'ev', {
      window: span,
      filters: q.filters,
      sample: q.sample,
      allEvents: needsAllEvents(q.filters, q.series, q.breakdown),
    });
    let bd = 'NULL::VARCHAR';
    if (q.breakdown) {
      const any = q.series.map((s) => matcherSql(s)).join(' OR ');
      const b = breakdownCtes(q.breakdown, 'ev', `(${any}) AND timestamp >= ${window.fromSql}`);
      ctes.push(...b.ctes);
      bd = breakdownValueSql(b.rawSql);
    }
    ctes.push(`__grid AS (${bucketGridSql(window, q.interval)})`);
    const body = q.series
      .map((s, i) => seriesSql(s, i, q, bd, span))
      .join('\nUNION ALL\n')
      .replaceAll('__w_from', window.fromSql);
    const sql = `WITH ${ctes.join(',\n')}, __r AS (${body})
      SELECT 'grid' AS s, strftime(bucket, '%Y-%m-%dT%H:%M:%S') AS bucket, NULL AS bd, NULL::DOUBLE AS value FROM __grid
      UNION ALL SELECT s, strftime(bucket, '%Y-%m-%dT%H:%M:%S'), bd, value FROM __r WHERE bucket IN (SELECT bucket FROM __grid)`;
    const rows = plainRows(await env.query(sql));
    const buckets = rows
      .filter((r) => r['s'] === 'grid')
      .map((r) => String(r['bucket']))
      .sort();
    const index = new Map(buckets.map((b, i) => [b, i]));
    const lines = new Map<string, TrendLine>();
    q.series.forEach((s, i) => {
      if (!q.breakdown) lines.set(`${letter(i)}\u0000`, emptyLine(s, i, null, buckets.length));
    });
    for (const r of rows) {
      if (r['s'] === 'grid') continue;
      const i = String(r['s']).charCodeAt(0) - 65;
      const key = `${r['s']}\u0000${r['bd'] ?? ''}`;
      let line = lines.get(key);
      if (!line)
        lines.set(key, (line = emptyLine(q.series[i]!, i, r['bd'] === null ? null : String(r['bd']), buckets.length)));
      line.values[index.get(String(r['bucket']))!] = r['value'] === null ? null : Number(r['value']);
    }
    const series = [...lines.values()].sort(
      (a, b) => a.label.localeCompare(b.label) || (b.total ?? 0) - (a.total ?? 0),
    );
    for (const line of series)
      line.total =
        ADDITIVE.has(line.math ?? '') && line.math !== 'unique' && !line.math?.endsWith('au')
          ? line.values.reduce<number>((t, v) => t + (v ?? 0), 0)
          : null;
    const result: TrendsResult = { interval: q.interval, timezone: q.timezone, buckets, series };
    if (formula && q.formula) {
      const groups = [...new Set(series.map((l) => l.breakdown))];
      result.formula = {
        expression: q.formula,
        series: groups.map((g) => {
          const of = (l: string): TrendLine | undefined => series.find((x) => x.label === l && x.breakdown === g);
          const values = buckets.map((_, b) =>
            formula(Object.fromEntries(q.series.map((_s, i) => [letter(i), of(letter(i))?.values[b] ?? 0]))),
          );
          return { label: q.formula!, breakdown: g, values, total: null };
        }),
      };
    }
    return result;
  },
};

function emptyLine(s: TrendSeries, i: number, breakdown: string | null, n: number): TrendLine {
  const zero = ADDITIVE.has(s.math) ? 0 : null;
  return {
    label: letter(i),
    event: s.event,
    math: s.math,
    breakdown,
    values: new Array<number | null>(n).fill(zero),
    total: null,
  };
}
