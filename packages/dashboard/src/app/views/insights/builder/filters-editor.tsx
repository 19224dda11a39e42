// Edits a list of property filters (property, operator, value); used for global and per-step filters.
import type { EventSchema } from '../../../api/event-schema';
import type { FilterOp, PropertyFilter } from '../../../api/insights-api';
import { PropertySelect } from './property-select';

const OPS: readonly [FilterOp, string][] = [
  ['eq', '='],
  ['neq', '≠'],
  ['contains', 'contains'],
  ['in', 'in (a,b)'],
  ['not_in', 'not in'],
  ['gt', '>'],
  ['gte', '≥'],
  ['lt', '<'],
  ['lte', '≤'],
  ['is_set', 'is set'],
  ['is_not_set', 'is not set'],
];

/** Add/remove/edit rows of filters. */
export function FiltersEditor({
  schema,
  filters,
  onChange,
  label,
}: {
  schema: EventSchema;
  filters: readonly PropertyFilter[];
  onChange: (f: PropertyFilter[]) => void;
  label: string;
}) {
  const set = (i: number, patch: Partial<PropertyFilter>) =>
    onChange(filters.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  return (
    <fieldset>
      <legend>{label}</legend>
      {filters.map((f, i) => (
        <div className="step-row" key={i}>
          <PropertySelect
            schema={schema}
            label="Property"
            value={f.property}
            onChange={(property) => set(i, { property })}
          />
          <label>
            Operator
            <select value={f.op} onChange={(e) => set(i, { op: e.target.value as FilterOp })}>
              {OPS.map(([op, text]) => (
                <option key={op} value={op}>
                  {text}
                </option>
              ))}
            </select>
          </label>
          {f.op !== 'is_set' && f.op !== 'is_not_set' && (
            <label>
              Value
              <input
                value={Array.isArray(f.value) ? f.value.join(',') : String(f.value ?? '')}
                onChange={(e) => set(i, { value: e.target.value })}
              />
            </label>
          )}
          <button
            type="button"
            aria-label={`Remove filter ${i + 1}`}
            onClick={() => onChange(filters.filter((_, j) => j !== i))}
          >
            ✕
          </button>
        </div>
      ))}
      <button
        type="button"
        onClick={() => onChange([...filters, { property: schema.properties[0] ?? 'site', op: 'eq', value: '' }])}
      >
        + Filter
      </button>
    </fieldset>
  );
}
