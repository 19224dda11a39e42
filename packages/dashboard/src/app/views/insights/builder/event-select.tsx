// Picks an event name from those really in silver.events (with counts), or "any event".
import type { EventSchema } from '../../../api/event-schema';

/** A labelled select of event names; `allowAny` adds `$any`. */
export function EventSelect({
  schema,
  value,
  onChange,
  label,
  allowAny,
}: {
  schema: EventSchema;
  value: string;
  onChange: (v: string) => void;
  label: string;
  allowAny?: boolean;
}) {
  const known = schema.events.some((e) => e.name === value) || value === '$any';
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {allowAny && <option value="$any">Any event</option>}
        {!known && value !== '' && <option value={value}>{value}</option>}
        {schema.events.map((e) => (
          <option key={e.name} value={e.name}>
            {e.name === '' ? '(any)' : `${e.name} (${e.count.toLocaleString('en-US')})`}
          </option>
        ))}
      </select>
    </label>
  );
}
