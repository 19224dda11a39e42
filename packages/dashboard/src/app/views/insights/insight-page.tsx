// The frame every insight kind shares: the query lives in the URL (?q=), the builder edits a draft that
// "Run" commits to the URL, and the result of the URL's query renders below with loading/error/empty states.
import { useEffect, useState, type ReactNode } from 'react';
import { useEventSchema, type EventSchema } from '../../api/event-schema';
import { runInsight, type InsightResponse } from '../../api/insights-api';
import { useApi } from '../../api/use-api';
import { useUrlQuery } from '../../api/use-url-query';
import { DataState } from '../../components/data-state';

/** What a kind plugs into the page. */
export interface InsightPageProps<Q extends object, R> {
  kind: string;
  defaults: Q;
  /** The request body for a (URL) query: drop UI-only fields, clean filters. */
  toRequest: (q: Q) => object;
  builder: (draft: Q, setDraft: (q: Q) => void, schema: EventSchema) => ReactNode;
  result: (result: R, query: Q) => ReactNode;
  isEmpty?: (result: R) => boolean;
}

/** Builder + result for one kind. */
export function InsightPage<Q extends object, R>(props: InsightPageProps<Q, R>) {
  const schema = useEventSchema();
  const [query, setQuery] = useUrlQuery<Q>('q', props.defaults);
  const [draft, setDraft] = useState<Q>(query);
  const key = JSON.stringify(query);
  useEffect(() => setDraft(query), [key]); // eslint-disable-line react-hooks/exhaustive-deps -- follow back/forward
  const answer = useApi<InsightResponse<R>>(`${props.kind}:${key}`, (signal) =>
    runInsight<R>(props.kind, props.toRequest(query), signal),
  );
  return (
    <>
      <DataState
        state={schema}
        isEmpty={(s) => s.events.length === 0}
        empty="No events in silver.events yet: run the pipelines first."
      >
        {(s) => (
          <form
            className="panel builder"
            aria-label={`${props.kind} query`}
            onSubmit={(e) => {
              e.preventDefault();
              setQuery(draft);
            }}
          >
            {props.builder(draft, setDraft, s)}
            <button type="submit" className="primary">
              Run query
            </button>
          </form>
        )}
      </DataState>
      <DataState state={answer} isEmpty={(a) => props.isEmpty?.(a.result) ?? false} empty="No data for this query.">
        {(a) => (
          <div aria-busy={answer.loading} data-testid="insight-result">
            {props.result(a.result, query)}
            {a.meta?.durationMs !== undefined && (
              <p className="muted">
                {a.meta.cached ? 'Cached' : 'Computed'} in {Math.round(a.meta.durationMs)} ms.
              </p>
            )}
          </div>
        )}
      </DataState>
    </>
  );
}
