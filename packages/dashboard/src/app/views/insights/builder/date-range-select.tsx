// The date range of a query: the last N hours/days/weeks, or a from–to pair of dates.
import type { DateRange } from '../../../api/insights-api';

const PRESETS: readonly [string, DateRange][] = [
  ['Last 24 hours', { last: 24, unit: 'hour' }],
  ['Last 7 days', { last: 7, unit: 'day' }],
  ['Last 14 days', { last: 14, unit: 'day' }],
  ['Last 30 days', { last: 30, unit: 'day' }],
  ['Last 90 days', { last: 90, unit: 'day' }],
];
const keyOf = (r: DateRange) => ('last' in r ? `${r.last}${r.unit}` : 'custom');

/** Preset select plus date inputs when "Custom" is picked. */
export function DateRangeSelect({ value, onChange }: { value: DateRange; onChange: (r: DateRange) => void }) {
  const today = new Date().toISOString().slice(0, 10);
  return (
    <>
      <label>
        Date range
        <select
          value={keyOf(value)}
          onChange={(e) => {
            const preset = PRESETS.find(([, r]) => keyOf(r) === e.target.value);
            onChange(
              preset
                ? preset[1]
                : { from: new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10), to: today },
            );
          }}
        >
          {PRESETS.map(([label, r]) => (
            <option key={label} value={keyOf(r)}>
              {label}
            </option>
          ))}
          {'last' in value && !PRESETS.some(([, r]) => keyOf(r) === keyOf(value)) && (
            <option value={keyOf(value)}>
              Last {value.last} {value.unit}s
            </option>
          )}
          <option value="custom">Custom…</option>
        </select>
      </label>
      {'from' in value && (
        <>
          <label>
            From
            <input
              type="date"
              value={value.from.slice(0, 10)}
              onChange={(e) => onChange({ ...value, from: e.target.value })}
            />
          </label>
          <label>
            To
            <input
              type="date"
              value={value.to.slice(0, 10)}
              onChange={(e) => onChange({ ...value, to: e.target.value })}
            />
          </label>
        </>
      )}
    </>
  );
}
