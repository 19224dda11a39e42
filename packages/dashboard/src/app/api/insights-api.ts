// POST /api/insights/{kind}: the typed insight queries. Query shapes follow @lens/insights' zod schemas
// (common fields: dateRange, timezone, filters, sample); results are the kinds' result objects.
import { apiPost } from './api-client';

/** The kinds the Insights section shows, in menu order. */
export const INSIGHT_VIEW_KINDS = ['trends', 'funnels', 'retention', 'paths', 'stickiness', 'lifecycle'] as const;
export type InsightViewKind = (typeof INSIGHT_VIEW_KINDS)[number];

export type FilterOp =
  'eq' | 'neq' | 'in' | 'not_in' | 'contains' | 'gt' | 'gte' | 'lt' | 'lte' | 'is_set' | 'is_not_set';
export interface PropertyFilter {
  property: string;
  op: FilterOp;
  value?: string | number | boolean | (string | number | boolean)[];
  scope?: 'event' | 'person';
}
export interface EventMatcher {
  event: string;
  filters?: PropertyFilter[];
}
export type DateRange = { last: number; unit: 'hour' | 'day' | 'week' | 'month' } | { from: string; to: string };
export interface Breakdown {
  property: string;
  scope?: 'event' | 'person';
  limit?: number;
}
export type Interval = 'hour' | 'day' | 'week' | 'month';
/** Fields every kind accepts. */
export interface CommonQuery {
  dateRange: DateRange;
  timezone?: string;
  filters?: PropertyFilter[];
  sample?: number;
}

/** What the server answers for every kind. */
export interface InsightResponse<R> {
  kind: string;
  result: R;
  meta?: { versions?: Record<string, number>; cached?: boolean; durationMs?: number };
}

/**
 * Runs one insight query.
 * @example const { result } = await runInsight<FunnelResult>('funnels', { steps, dateRange: { last: 7, unit: 'day' } });
 */
export async function runInsight<R>(kind: string, query: object, signal?: AbortSignal): Promise<InsightResponse<R>> {
  return apiPost<InsightResponse<R>>(`/api/insights/${encodeURIComponent(kind)}`, query, signal);
}

/** Drops filters with no property and values typed as text that are numbers/booleans. */
export function cleanFilters(filters: readonly PropertyFilter[] | undefined): PropertyFilter[] {
  return (filters ?? [])
    .filter((f) => f.property !== '')
    .map((f) => {
      if (f.op === 'is_set' || f.op === 'is_not_set') return { property: f.property, op: f.op, scope: f.scope };
      if (f.op === 'in' || f.op === 'not_in')
        return {
          ...f,
          value: String(f.value ?? '')
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean),
        };
      const v = f.value;
      const numeric =
        typeof v === 'string' &&
        ['gt', 'gte', 'lt', 'lte'].includes(f.op) &&
        v.trim() !== '' &&
        !Number.isNaN(Number(v));
      return { ...f, value: numeric ? Number(v) : (v ?? '') };
    });
}
