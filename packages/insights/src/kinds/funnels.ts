// Funnels: ordered steps with per-step filters, a conversion window, strict / ordered / any order, exclusion
// steps, a first-touch breakdown, conversion and drop-off per step, time to convert, and who dropped off.
import { z } from 'zod';
import { Breakdown, Duration, EventMatcher, commonFields, durationSeconds } from '../query/common.js';
import { extendWindow, resolveWindow } from '../sql/date-window.js';
import { breakdownCtes, breakdownValueSql, matcherSql, needsAllEvents, sourceCtes } from '../sql/event-source.js';
import { plainRows } from '../sql/sql-text.js';
import { MASK_SPAN, funnelKernel, funnelKernelApplies } from './funnel-kernel.js';
import { funnelCtes, funnelSummarySql } from './funnels-sql.js';
import type { InsightKind } from './insight-kind.js';

/** An exclusion: persons doing `event` between step `fromStep` and step `toStep` (1-based) are not counted. */
export const FunnelExclusion = EventMatcher.extend({
  fromStep: z.number().int().min(1),
  toStep: z.number().int().min(2),
}).strict();

export const FunnelQuery = z
  .object({
    steps: z.array(EventMatcher).min(2).max(20),
    /** Every later step must happen within this of the entry (inclusive). */
    window: Duration.default({ value: 14, unit: 'day' }),
    /** strict: no other event in between; ordered: in order, others allowed; any: in any order. */
    order: z.enum(['strict', 'ordered', 'any']).default('ordered'),
    exclusions: z.array(FunnelExclusion).max(10).default([]),
    /** First touch: the property's value on the entry (step-1) event. */
    breakdown: Breakdown.optional(),
    /** List persons who reached `step` and dropped off right after it (or converted through it). */
    persons: z
      .object({
        step: z.number().int().min(1),
        outcome: z.enum(['dropped', 'converted']).default('dropped'),
        limit: z.number().int().min(1).max(10_000).default(100),
      })
      .strict()
      .optional(),
    histogramBins: z.number().int().min(1).max(100).default(10),
    ...commonFields,
  })
  .strict()
  .superRefine((q, ctx) => {
    q.exclusions.forEach((x, j) => {
      if (x.toStep <= x.fromStep || x.toStep > q.steps.length)
        ctx.addIssue({
          code: 'custom',
          path: ['exclusions', j, 'toStep'],
          message: `must be after fromStep and at most ${q.steps.length}`,
        });
    });
    if (q.persons && q.persons.step > q.steps.length)
      ctx.addIssue({ code: 'custom', path: ['persons', 'step'], message: `at most ${q.steps.length}` });
  });
export type FunnelQuery = z.infer<typeof FunnelQuery>;

/** One step's figures. */
export interface FunnelStep {
  step: number;
  event: string;
  count: number;
  /** From step 1. */
  conversionRate: number | null;
  /** From the previous step. */
  stepConversionRate: number | null;
  dropOff: number;
  medianSecondsFromPrevious: number | null;
  averageSecondsFromPrevious: number | null;
}

export interface FunnelResult {
  order: FunnelQuery['order'];
  windowSeconds: number;
  steps: FunnelStep[];
  breakdown?: { value: string; steps: FunnelStep[] }[];
  timeToConvert: {
    medianSeconds: number | null;
    averageSeconds: number | null;
    histogram: { fromSeconds: number; toSeconds: number; count: number }[];
  };
  persons?: { step: number; outcome: 'dropped' | 'converted'; ids: string[] };
}

function stepsOf(q: FunnelQuery, row: Record<string, unknown>): FunnelStep[] {
  return q.steps.map((s, i) => {
    const k = i + 1;
    const count = Number(row[`c${k}`] ?? 0);
    const first = Number(row['c1'] ?? 0);
    const prev = k === 1 ? count : Number(row[`c${k - 1}`] ?? 0);
    const num = (v: unknown): number | null => (v === null || v === undefined || q.order === 'any' ? null : Number(v));
    return {
      step: k,
      event: s.event,
      count,
      conversionRate: first ? count / first : null,
      stepConversionRate: prev ? count / prev : null,
      dropOff: prev - count,
      medianSecondsFromPrevious: k === 1 ? null : num(row[`med${k}`]),
      averageSecondsFromPrevious: k === 1 ? null : num(row[`avg${k}`]),
    };
  });
}

function histogram(values: number[], bins: number): FunnelResult['timeToConvert']['histogram'] {
  if (values.length === 0) return [];
  const max = Math.max(...values);
  const width = Math.max(1, Math.ceil((max + 1) / bins));
  const out = Array.from({ length: bins }, (_, i) => ({
    fromSeconds: i * width,
    toSeconds: (i + 1) * width,
    count: 0,
  }));
  for (const v of values) out[Math.min(bins - 1, Math.floor(v / width))]!.count++;
  return out;
}

/** The funnels kind. */
export const funnels: InsightKind<FunnelQuery, FunnelResult> = {
  name: 'funnels',
  description: 'Conversion through ordered steps within a window',
  schema: FunnelQuery,
  tables: ['silver.events', 'silver.identities'],
  async run(q, env) {
    const w = durationSeconds(q.window);
    const window = resolveWindow(q.dateRange, q.timezone, env.now);
    const ctes = sourceCtes(env.ctx, 'ev0', {
      window: extendWindow(window, 0, w),
      filters: q.filters,
      sample: q.sample,
      allEvents: needsAllEvents(q.filters, [...q.steps, ...q.exclusions], q.breakdown),
    });
    let bd = 'NULL::VARCHAR';
    if (q.breakdown) {
      const b = breakdownCtes(
        q.breakdown,
        'ev0',
        `${matcherSql(q.steps[0]!)} AND timestamp >= ${window.fromSql} AND timestamp < ${window.toSql}`,
      );
      ctes.push(...b.ctes);
      bd = breakdownValueSql(b.rawSql);
    }
    ctes.push(`ev AS NOT MATERIALIZED (SELECT *, ${bd} AS __bd FROM ev0)`);
    let rows: Record<string, unknown>[] | undefined;
    if (env.columns && funnelKernelApplies(q)) {
      // The typed-array kernel over the sorted warm rows: only the step and exclusion events are read.
      const mask = [...q.steps, ...q.exclusions]
        .map((m, i) => `CASE WHEN ${matcherSql(m)} THEN ${2 ** i} ELSE 0 END`)
        .join(' + ');
      let bdNames: string[] | undefined;
      let bdCode = 'NULL::DOUBLE';
      if (q.breakdown) {
        const top = await env.query(`WITH ${ctes.join(',\n')}\nSELECT v FROM __top`);
        bdNames = ['$other', ...top.map((r) => String(r['v']))];
        bdCode = `CASE WHEN ${matcherSql(q.steps[0]!)} THEN coalesce(list_position((SELECT list(v) FROM __top), __bd), 0) END::DOUBLE`;
      }
      // No ORDER BY: a scan of the warm table returns rows in its (person, time) order; the kernel checks that.
      const cols =
        await env.columns(`WITH ${ctes.join(',\n')}, __k AS (SELECT pidx, epoch_us(ts_utc)::DOUBLE AS t, ${mask} AS m${q.breakdown ? `, ${bdCode} AS bd` : ''} FROM ev)
        SELECT pidx::DOUBLE * ${MASK_SPAN} + m AS pm, t${q.breakdown ? ', bd' : ''} FROM __k WHERE m > 0`);
      rows = funnelKernel(q, cols, w, window.from.getTime() * 1000, window.to.getTime() * 1000, bdNames);
    }
    ctes.push(...funnelCtes(q, w, window.fromUtc, window.toUtc));
    rows ??= plainRows(await env.query(`WITH ${ctes.join(',\n')}\n${funnelSummarySql(q)}`));
    const total = rows.find((r) => r['total'] === 1) ?? {};
    const conv = ((total['conv'] as number[] | null) ?? []).map(Number).sort((a, b) => a - b);
    const mid = conv.length / 2;
    const result: FunnelResult = {
      order: q.order,
      windowSeconds: w,
      steps: stepsOf(q, total),
      timeToConvert: {
        medianSeconds:
          conv.length === 0 ? null : conv.length % 2 ? conv[Math.floor(mid)]! : (conv[mid - 1]! + conv[mid]!) / 2,
        averageSeconds: conv.length === 0 ? null : conv.reduce((a, b) => a + b, 0) / conv.length,
        histogram: histogram(conv, q.histogramBins),
      },
    };
    if (q.breakdown) {
      result.breakdown = rows
        .filter((r) => r['total'] === 0)
        .map((r) => ({ value: String(r['bd']), steps: stepsOf(q, r) }))
        .sort((a, b) => b.steps[0]!.count - a.steps[0]!.count);
    }
    if (q.persons) {
      const p = q.persons;
      const cond = p.outcome === 'dropped' ? `reached = ${p.step}` : `reached >= ${p.step}`;
      const ids = await env.query(
        `WITH ${ctes.join(',\n')}\nSELECT DISTINCT person_name FROM ev WHERE person_id IN (SELECT person_id FROM best WHERE ${cond}) ORDER BY 1 LIMIT ${p.limit}`,
      );
      result.persons = { step: p.step, outcome: p.outcome, ids: ids.map((r) => String(r['person_name'])) };
    }
    return result;
  },
};
