// Insights › Stickiness: how many persons did an event on exactly 1, 2, … days (or weeks) of the range.
import type { CommonQuery, EventMatcher } from '../../../api/insights-api';
import { cleanFilters } from '../../../api/insights-api';
import { DataTable } from '../../../components/data-table';
import { EChart } from '../../../components/echart';
import { formatPercent } from '../../../components/format';
import { DateRangeSelect } from '../builder/date-range-select';
import { EventSelect } from '../builder/event-select';
import { InsightPage } from '../insight-page';

/** The stickiness query kept in the URL. */
export interface StickinessDraft extends CommonQuery {
  event: EventMatcher;
  interval: 'day' | 'week';
}
/** Mirrors @lens/insights' StickinessResult. */
export interface StickinessResult {
  interval: 'day' | 'week';
  periods: number;
  counts: { periods: number; persons: number; share: number | null }[];
}

const DEFAULTS: StickinessDraft = {
  event: { event: 'Article Viewed' },
  interval: 'day',
  dateRange: { last: 7, unit: 'day' },
  filters: [],
};

/** Request body of a stickiness draft. */
export function stickinessRequest(q: StickinessDraft): object {
  return {
    event: { event: q.event.event, filters: cleanFilters(q.event.filters) },
    interval: q.interval,
    dateRange: q.dateRange,
    filters: cleanFilters(q.filters),
  };
}

/** The stickiness page. */
export default function StickinessPage() {
  return (
    <InsightPage<StickinessDraft, StickinessResult>
      kind="stickiness"
      defaults={DEFAULTS}
      toRequest={stickinessRequest}
      isEmpty={(r) => r.counts.every((c) => c.persons === 0)}
      result={(r) => (
        <>
          <div className="panel">
            <h2>Persons by {r.interval}s active</h2>
            <EChart
              height={280}
              label={`Bar chart of persons by number of ${r.interval}s active`}
              option={{
                tooltip: { trigger: 'axis' },
                grid: { left: 56, right: 16, top: 16, bottom: 40 },
                xAxis: {
                  type: 'category',
                  data: r.counts.map((c) => `${c.periods} ${r.interval}${c.periods > 1 ? 's' : ''}`),
                },
                yAxis: { type: 'value' },
                series: [{ type: 'bar', data: r.counts.map((c) => c.persons) }],
              }}
            />
          </div>
          <div className="panel">
            <h2>Table</h2>
            <DataTable
              label="Stickiness"
              rows={r.counts.map((c) => ({
                active: c.periods,
                persons: c.persons,
                share: c.share === null ? '—' : formatPercent(c.share),
              }))}
              columns={[
                { key: 'active', header: `${r.interval}s active`, numeric: true },
                { key: 'persons', header: 'Persons', numeric: true },
                { key: 'share', header: 'Share', numeric: true },
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
            <select value={d.interval} onChange={(e) => set({ ...d, interval: e.target.value as 'day' | 'week' })}>
              <option value="day">day</option>
              <option value="week">week</option>
            </select>
          </label>
          <DateRangeSelect value={d.dateRange} onChange={(dateRange) => set({ ...d, dateRange })} />
        </>
      )}
    />
  );
}
