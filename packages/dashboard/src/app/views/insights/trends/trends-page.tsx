// Insights › Trends: series of events over time (total, unique persons, DAU/WAU/MAU, property math) with a
// breakdown by a property's top values; a line chart and a table of the lines' totals.
import type { Breakdown, CommonQuery, EventMatcher, Interval } from '../../../api/insights-api';
import { cleanFilters } from '../../../api/insights-api';
import { InsightPage } from '../insight-page';
import { TrendsBuilder } from './trends-builder';
import { TrendsResultView, type TrendsResult } from './trends-result';

/** One series as the builder edits it. */
export interface TrendSeriesDraft extends EventMatcher {
  math: string;
  property?: string;
}
/** The trends query kept in the URL. */
export interface TrendsDraft extends CommonQuery {
  series: TrendSeriesDraft[];
  interval: Interval;
  breakdown?: Breakdown;
  formula?: string;
}

const DEFAULTS: TrendsDraft = {
  series: [{ event: 'Article Viewed', math: 'total' }],
  interval: 'day',
  dateRange: { last: 7, unit: 'day' },
  filters: [],
};

/** Request body: drops an empty breakdown and the property of math that takes none. */
export function trendsRequest(q: TrendsDraft): object {
  const propertyMath = ['sum', 'avg', 'min', 'max', 'median', 'p90'];
  return {
    series: q.series.map((s) => ({
      event: s.event,
      math: s.math,
      filters: cleanFilters(s.filters),
      ...(propertyMath.includes(s.math) && s.property ? { property: s.property } : {}),
    })),
    interval: q.interval,
    dateRange: q.dateRange,
    filters: cleanFilters(q.filters),
    ...(q.breakdown?.property ? { breakdown: { property: q.breakdown.property, limit: q.breakdown.limit ?? 10 } } : {}),
    ...(q.formula?.trim() ? { formula: q.formula.trim() } : {}),
  };
}

/** The trends page. */
export default function TrendsPage() {
  return (
    <InsightPage<TrendsDraft, TrendsResult>
      kind="trends"
      defaults={DEFAULTS}
      toRequest={trendsRequest}
      builder={(draft, set, schema) => <TrendsBuilder draft={draft} onChange={set} schema={schema} />}
      result={(r) => <TrendsResultView result={r} />}
      isEmpty={(r) => r.series.length === 0}
    />
  );
}
