// The trends query builder: series (event + math), interval, breakdown, date range, global filters.
import type { EventSchema } from '../../../api/event-schema';
import type { Interval } from '../../../api/insights-api';
import { DateRangeSelect } from '../builder/date-range-select';
import { EventSelect } from '../builder/event-select';
import { FiltersEditor } from '../builder/filters-editor';
import { PropertySelect } from '../builder/property-select';
import type { TrendsDraft } from './trends-page';

const MATHS: readonly [string, string][] = [
  ['total', 'Total events'],
  ['unique', 'Unique persons'],
  ['dau', 'Daily active'],
  ['wau', 'Weekly active'],
  ['mau', 'Monthly active'],
  ['per_person_avg', 'Per person (avg)'],
  ['sum', 'Sum of property'],
  ['avg', 'Average of property'],
  ['median', 'Median of property'],
  ['p90', 'P90 of property'],
];
const NEEDS_PROPERTY = new Set(['sum', 'avg', 'median', 'p90']);

/** Edits a TrendsDraft. */
export function TrendsBuilder({
  draft,
  onChange,
  schema,
}: {
  draft: TrendsDraft;
  onChange: (d: TrendsDraft) => void;
  schema: EventSchema;
}) {
  const setSeries = (i: number, patch: Partial<TrendsDraft['series'][number]>) =>
    onChange({ ...draft, series: draft.series.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  return (
    <>
      {draft.series.map((s, i) => (
        <fieldset key={i}>
          <legend>Series {String.fromCharCode(65 + i)}</legend>
          <EventSelect
            schema={schema}
            label="Event"
            value={s.event}
            allowAny
            onChange={(event) => setSeries(i, { event })}
          />
          <label>
            Measure
            <select
              value={s.math}
              // A measure of a property starts on the property the select shows (it was shown, never sent: 400).
              onChange={(e) =>
                setSeries(i, {
                  math: e.target.value,
                  ...(NEEDS_PROPERTY.has(e.target.value) && s.property === undefined
                    ? { property: 'read_time_s' }
                    : {}),
                })
              }
            >
              {MATHS.map(([m, t]) => (
                <option key={m} value={m}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          {NEEDS_PROPERTY.has(s.math) && (
            <PropertySelect
              schema={schema}
              label="Of property"
              value={s.property ?? 'read_time_s'}
              onChange={(property) => setSeries(i, { property })}
            />
          )}
          {draft.series.length > 1 && (
            <button
              type="button"
              aria-label={`Remove series ${String.fromCharCode(65 + i)}`}
              onClick={() => onChange({ ...draft, series: draft.series.filter((_, j) => j !== i) })}
            >
              ✕
            </button>
          )}
        </fieldset>
      ))}
      <button
        type="button"
        onClick={() =>
          onChange({ ...draft, series: [...draft.series, { event: schema.events[0]?.name ?? '$any', math: 'total' }] })
        }
      >
        + Series
      </button>
      {draft.series.length > 1 && (
        <label>
          Formula
          <input
            placeholder="e.g. A/B, (A-B)*100"
            value={draft.formula ?? ''}
            onChange={(e) => onChange({ ...draft, formula: e.target.value || undefined })}
          />
        </label>
      )}
      <label>
        Interval
        <select value={draft.interval} onChange={(e) => onChange({ ...draft, interval: e.target.value as Interval })}>
          {['hour', 'day', 'week', 'month'].map((i) => (
            <option key={i}>{i}</option>
          ))}
        </select>
      </label>
      <PropertySelect
        schema={schema}
        label="Breakdown"
        none="No breakdown"
        value={draft.breakdown?.property ?? ''}
        onChange={(property) => onChange({ ...draft, breakdown: property ? { property, limit: 10 } : undefined })}
      />
      <DateRangeSelect value={draft.dateRange} onChange={(dateRange) => onChange({ ...draft, dateRange })} />
      <FiltersEditor
        schema={schema}
        label="Filters (all events)"
        filters={draft.filters ?? []}
        onChange={(filters) => onChange({ ...draft, filters })}
      />
    </>
  );
}
