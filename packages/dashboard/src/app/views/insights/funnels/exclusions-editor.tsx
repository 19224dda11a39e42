// Funnel exclusion steps: persons who do an event between step i and step j are left out of the funnel.
import type { EventSchema } from '../../../api/event-schema';
import { EventSelect } from '../builder/event-select';

/** One exclusion as the builder keeps it. */
export interface ExclusionDraft {
  event: string;
  fromStep: number;
  toStep: number;
}

/** Add/remove/edit exclusions for a funnel of `steps` steps. */
export function ExclusionsEditor({
  schema,
  steps,
  exclusions,
  onChange,
}: {
  schema: EventSchema;
  steps: number;
  exclusions: readonly ExclusionDraft[];
  onChange: (x: ExclusionDraft[]) => void;
}) {
  const set = (i: number, patch: Partial<ExclusionDraft>) =>
    onChange(exclusions.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const stepOptions = Array.from({ length: steps }, (_, i) => i + 1);
  return (
    <fieldset>
      <legend>Exclusions</legend>
      {exclusions.map((x, i) => (
        <div className="step-row" key={i}>
          <EventSelect
            schema={schema}
            label={`Exclude event ${i + 1}`}
            value={x.event}
            onChange={(event) => set(i, { event })}
          />
          <label>
            Between step
            <select value={x.fromStep} onChange={(e) => set(i, { fromStep: Number(e.target.value) })}>
              {stepOptions.slice(0, -1).map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
          <label>
            and step
            <select value={x.toStep} onChange={(e) => set(i, { toStep: Number(e.target.value) })}>
              {stepOptions
                .filter((n) => n > x.fromStep)
                .map((n) => (
                  <option key={n}>{n}</option>
                ))}
            </select>
          </label>
          <button
            type="button"
            aria-label={`Remove exclusion ${i + 1}`}
            onClick={() => onChange(exclusions.filter((_, j) => j !== i))}
          >
            ✕
          </button>
        </div>
      ))}
      <button
        type="button"
        onClick={() =>
          onChange([...exclusions, { event: schema.events[0]?.name ?? '', fromStep: 1, toStep: Math.min(2, steps) }])
        }
      >
        + Exclusion
      </button>
    </fieldset>
  );
}
