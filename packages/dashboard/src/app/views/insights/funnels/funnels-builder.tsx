// The funnel builder: steps (event + filters, reorderable), conversion window, order, breakdown, date range.
import type { EventSchema } from '../../../api/event-schema';
import { DateRangeSelect } from '../builder/date-range-select';
import { EventSelect } from '../builder/event-select';
import { FiltersEditor } from '../builder/filters-editor';
import { PropertySelect } from '../builder/property-select';
import { ExclusionsEditor } from './exclusions-editor';
import type { FunnelDraft } from './funnel-draft';

/** Edits a FunnelDraft. */
export function FunnelsBuilder({
  draft,
  onChange,
  schema,
}: {
  draft: FunnelDraft;
  onChange: (d: FunnelDraft) => void;
  schema: EventSchema;
}) {
  const steps = draft.steps;
  const setSteps = (next: FunnelDraft['steps']) => onChange({ ...draft, steps: next });
  const move = (i: number, by: number) => {
    const next = [...steps];
    const [s] = next.splice(i, 1);
    next.splice(i + by, 0, s!);
    setSteps(next);
  };
  return (
    <>
      {steps.map((s, i) => (
        <fieldset key={i} data-testid={`funnel-step-${i + 1}`}>
          <legend>Step {i + 1}</legend>
          <EventSelect
            schema={schema}
            label={`Step ${i + 1} event`}
            value={s.event}
            onChange={(event) => setSteps(steps.map((x, j) => (j === i ? { ...x, event } : x)))}
          />
          <FiltersEditor
            schema={schema}
            label="Step filters"
            filters={s.filters ?? []}
            onChange={(filters) => setSteps(steps.map((x, j) => (j === i ? { ...x, filters } : x)))}
          />
          <button type="button" aria-label={`Move step ${i + 1} up`} disabled={i === 0} onClick={() => move(i, -1)}>
            ↑
          </button>
          <button
            type="button"
            aria-label={`Move step ${i + 1} down`}
            disabled={i === steps.length - 1}
            onClick={() => move(i, 1)}
          >
            ↓
          </button>
          <button
            type="button"
            aria-label={`Remove step ${i + 1}`}
            disabled={steps.length <= 2}
            onClick={() => setSteps(steps.filter((_, j) => j !== i))}
          >
            ✕
          </button>
        </fieldset>
      ))}
      <button type="button" onClick={() => setSteps([...steps, { event: schema.events[0]?.name ?? '' }])}>
        + Step
      </button>
      <label>
        Conversion window
        <span className="step-row">
          <input
            type="number"
            min={1}
            aria-label="Window length"
            style={{ width: '5rem' }}
            value={draft.window.value}
            onChange={(e) =>
              onChange({ ...draft, window: { ...draft.window, value: Math.max(1, Number(e.target.value) || 1) } })
            }
          />
          <select
            aria-label="Window unit"
            value={draft.window.unit}
            onChange={(e) =>
              onChange({ ...draft, window: { ...draft.window, unit: e.target.value as FunnelDraft['window']['unit'] } })
            }
          >
            {['minute', 'hour', 'day', 'week'].map((u) => (
              <option key={u} value={u}>
                {u}s
              </option>
            ))}
          </select>
        </span>
      </label>
      <ExclusionsEditor
        schema={schema}
        steps={steps.length}
        exclusions={draft.exclusions ?? []}
        onChange={(exclusions) => onChange({ ...draft, exclusions })}
      />
      <label>
        Order
        <select
          value={draft.order}
          onChange={(e) => onChange({ ...draft, order: e.target.value as FunnelDraft['order'] })}
        >
          <option value="ordered">In order</option>
          <option value="strict">Strictly consecutive</option>
          <option value="any">Any order</option>
        </select>
      </label>
      <PropertySelect
        schema={schema}
        label="Breakdown (first touch)"
        none="No breakdown"
        value={draft.breakdown?.property ?? ''}
        onChange={(property) => onChange({ ...draft, breakdown: property ? { property, limit: 10 } : undefined })}
      />
      <DateRangeSelect value={draft.dateRange} onChange={(dateRange) => onChange({ ...draft, dateRange })} />
      <FiltersEditor
        schema={schema}
        label="Filters (all steps)"
        filters={draft.filters ?? []}
        onChange={(filters) => onChange({ ...draft, filters })}
      />
    </>
  );
}
