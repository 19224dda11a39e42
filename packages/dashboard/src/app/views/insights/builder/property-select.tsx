// Picks a property name (silver.events columns and JSON property keys).
import type { EventSchema } from '../../../api/event-schema';

/** A labelled select of property names; `none` adds an empty choice with that text. */
export function PropertySelect({
  schema,
  value,
  onChange,
  label,
  none,
}: {
  schema: EventSchema;
  value: string;
  onChange: (v: string) => void;
  label: string;
  none?: string;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {none !== undefined && <option value="">{none}</option>}
        {value !== '' && !schema.properties.includes(value) && <option value={value}>{value}</option>}
        {schema.properties.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
    </label>
  );
}
