// Insights › Retention: cohorts by start event per day/week/month and the share returning with the return
// event in each later period, as a cohort heatmap and a table.
import type { CommonQuery, EventMatcher } from '../../../api/insights-api';
import { cleanFilters } from '../../../api/insights-api';
import { DateRangeSelect } from '../builder/date-range-select';
import { EventSelect } from '../builder/event-select';
import { FiltersEditor } from '../builder/filters-editor';
import { InsightPage } from '../insight-page';
import { RetentionResultView, type RetentionResult } from './retention-result';

/** The retention query kept in the URL. */
export interface RetentionDraft extends CommonQuery {
  startEvent: EventMatcher;
  returnEvent: EventMatcher;
  cohort: 'first_time' | 'recurring';
  period: 'day' | 'week' | 'month';
  periods: number;
  mode: 'on' | 'on_or_after';
}

const DEFAULTS: RetentionDraft = {
  startEvent: { event: 'Article Viewed' },
  returnEvent: { event: 'Article Viewed' },
  cohort: 'first_time',
  period: 'day',
  periods: 7,
  mode: 'on',
  dateRange: { last: 14, unit: 'day' },
  filters: [],
};

/** Request body of a retention draft. */
export function retentionRequest(q: RetentionDraft): object {
  return {
    startEvent: { event: q.startEvent.event, filters: cleanFilters(q.startEvent.filters) },
    returnEvent: { event: q.returnEvent.event, filters: cleanFilters(q.returnEvent.filters) },
    cohort: q.cohort,
    period: q.period,
    periods: q.periods,
    mode: q.mode,
    dateRange: q.dateRange,
    filters: cleanFilters(q.filters),
  };
}

/** The retention page. */
export default function RetentionPage() {
  return (
    <InsightPage<RetentionDraft, RetentionResult>
      kind="retention"
      defaults={DEFAULTS}
      toRequest={retentionRequest}
      isEmpty={(r) => r.cohorts.length === 0}
      result={(r) => <RetentionResultView result={r} />}
      builder={(d, set, schema) => (
        <>
          <EventSelect
            schema={schema}
            label="Start event"
            value={d.startEvent.event}
            allowAny
            onChange={(event) => set({ ...d, startEvent: { ...d.startEvent, event } })}
          />
          <EventSelect
            schema={schema}
            label="Return event"
            value={d.returnEvent.event}
            allowAny
            onChange={(event) => set({ ...d, returnEvent: { ...d.returnEvent, event } })}
          />
          <label>
            Cohort
            <select
              value={d.cohort}
              onChange={(e) => set({ ...d, cohort: e.target.value as RetentionDraft['cohort'] })}
            >
              <option value="first_time">First time</option>
              <option value="recurring">Recurring</option>
            </select>
          </label>
          <label>
            Period
            <select
              value={d.period}
              onChange={(e) => set({ ...d, period: e.target.value as RetentionDraft['period'] })}
            >
              {['day', 'week', 'month'].map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
          <label>
            Periods
            <input
              type="number"
              min={1}
              max={100}
              style={{ width: '5rem' }}
              value={d.periods}
              onChange={(e) => set({ ...d, periods: Math.min(100, Math.max(1, Number(e.target.value) || 1)) })}
            />
          </label>
          <label>
            Returning
            <select value={d.mode} onChange={(e) => set({ ...d, mode: e.target.value as RetentionDraft['mode'] })}>
              <option value="on">on that period</option>
              <option value="on_or_after">on or after it</option>
            </select>
          </label>
          <DateRangeSelect value={d.dateRange} onChange={(dateRange) => set({ ...d, dateRange })} />
          <FiltersEditor
            schema={schema}
            label="Filters"
            filters={d.filters ?? []}
            onChange={(filters) => set({ ...d, filters })}
          />
        </>
      )}
    />
  );
}
