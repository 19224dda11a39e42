// Who dropped off (or converted) after a step: the same funnel asked again with `persons`, on demand.
import { useState } from 'react';
import { runInsight } from '../../../api/insights-api';
import { useApi } from '../../../api/use-api';
import { DataState } from '../../../components/data-state';
import type { FunnelResult, FunnelStep } from './funnel-result';
import { funnelRequest, type FunnelDraft } from './funnel-draft';

/** Step/outcome pickers and the list of person ids. */
export function DropOffPersons({ query, steps }: { query: FunnelDraft; steps: readonly FunnelStep[] }) {
  const [pick, setPick] = useState<{ step: number; outcome: 'dropped' | 'converted' } | undefined>(undefined);
  const [step, setStep] = useState(1);
  const [outcome, setOutcome] = useState<'dropped' | 'converted'>('dropped');
  const key = pick ? JSON.stringify([query, pick]) : null;
  const persons = useApi(key, (signal) =>
    runInsight<FunnelResult>('funnels', { ...funnelRequest(query), persons: { ...pick!, limit: 100 } }, signal),
  );
  return (
    <div className="panel">
      <h2>Persons</h2>
      <form
        className="builder"
        onSubmit={(e) => {
          e.preventDefault();
          setPick({ step, outcome });
        }}
      >
        <label>
          After step
          <select value={step} onChange={(e) => setStep(Number(e.target.value))}>
            {steps.map((s) => (
              <option key={s.step} value={s.step}>
                {s.step}. {s.event}
              </option>
            ))}
          </select>
        </label>
        <label>
          Who
          <select value={outcome} onChange={(e) => setOutcome(e.target.value as 'dropped' | 'converted')}>
            <option value="dropped">dropped off</option>
            <option value="converted">converted</option>
          </select>
        </label>
        <button type="submit">List persons</button>
      </form>
      {pick && (
        <DataState state={persons} isEmpty={(a) => (a.result.persons?.ids.length ?? 0) === 0} empty="Nobody.">
          {(a) => (
            <p data-testid="funnel-persons">
              <span className="muted">{a.result.persons?.ids.length} persons (first 100): </span>
              {a.result.persons?.ids.map((id) => (
                <code key={id}>{id} </code>
              ))}
            </p>
          )}
        </DataState>
      )}
    </div>
  );
}
