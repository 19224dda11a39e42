// Insights › Lifecycle: per period, persons who are new, returning, resurrecting — and dormant (below zero).
import type { CommonQuery, EventMatcher } from '../../../api/insights-api';
import { cleanFilters } from '../../../api/insights-api';
import { DataTable } from '../../../components/data-table';
import { EChart } from '../../../components/echart';
import { DateRangeSelect } from '../builder/date-range-select';
import { EventSelect } from '../builder/event-select';
import { InsightPage } from '../insight-page';

/** The lifecycle query kept in the URL. */
export interface LifecycleDraft extends CommonQuery {
  event: EventMatcher;
  interval: 'day' | 'week' | 'month';
}
/** Mirrors @lens/insights' LifecycleResult. */
export interface LifecycleResult {
  interval: string;
  buckets: string[];
  new: number[];
  returning: number[];
  resurrecting: number[];
  dormant: number[];
}

const DEFAULTS: LifecycleDraft = {
  event: { event: 'Article Viewed' },
  interval: 'day',
  dateRange: { last: 7, unit: 'day' },
  filters: [],
};
const STATES = ['new', 'returning', 'resurrecting', 'dormant'] as const;
const COLORS = { new: '#2563eb', returning: '#16a34a', resurrecting: '#ca8a04', dormant: '#dc2626' };

/** Request body of a lifecycle draft. */
export function lifecycleRequest(q: LifecycleDraft): object {
  return {
    event: { event: q.event.event, filters: cleanFilters(q.event.filters) },
    interval: q.interval,
    dateRange: q.dateRange,
    filters: cleanFilters(q.filters),
  };
}

/** The lifecycle page. */
export default function LifecyclePage() {
  return (
    <InsightPage<LifecycleDraft, LifecycleResult>
      kind="lifecycle"
      defaults={DEFAULTS}
      toRequest={lifecycleRequest}
      isEmpty={(r) => r.buckets.length === 0}
      result={(r) => (
        <>
          <div className="panel">
            <h2>Lifecycle</h2>
            <EChart
              height={300}
              label={`Stacked bars of new, returning, resurrecting and dormant persons per ${r.interval}`}
              option={{
                tooltip: { trigger: 'axis' },
                legend: { bottom: 0 },
                grid: { left: 56, right: 16, top: 16, bottom: 48 },
                xAxis: { type: 'category', data: r.buckets.map((b) => b.slice(0, 10)) },
                yAxis: { type: 'value' },
                series: STATES.map((s) => ({
                  type: 'bar',
                  name: s,
                  stack: 'all',
                  data: r[s],
                  itemStyle: { color: COLORS[s] },
                })),
              }}
            />
          </div>
          <div className="panel">
            <h2>Table</h2>
            <DataTable
              label="Lifecycle"
              rows={r.buckets.map((b, i) => ({
                period: b.slice(0, 10),
                new: r.new[i] ?? 0,
                returning: r.returning[i] ?? 0,
                resurrecting: r.resurrecting[i] ?? 0,
                dormant: r.dormant[i] ?? 0,
              }))}
              columns={[
                { key: 'period', header: 'Period' },
                ...STATES.map((s) => ({ key: s, header: s, numeric: true })),
              ]}
            />
          </div>
        </>
      )}
      builder={(d, set, schema) => (
        <>
          <EventSelect
            schema={schema}
            label="Event"
            value={d.event.event}
            allowAny
            onChange={(event) => set({ ...d, event: { ...d.event, event } })}
          />
          <label>
            Interval
            <select
              value={d.interval}
              onChange={(e) => set({ ...d, interval: e.target.value as LifecycleDraft['interval'] })}
            >
              {['day', 'week', 'month'].map((i) => (
                <option key={i}>{i}</option>
              ))}
            </select>
          </label>
          <DateRangeSelect value={d.dateRange} onChange={(dateRange) => set({ ...d, dateRange })} />
        </>
      )}
    />
  );
}
