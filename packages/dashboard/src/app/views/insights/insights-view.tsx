// Insights: one tab per kind; each kind's page (builder + charts) is its own lazy chunk.
import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react';
import { useParams } from 'react-router';
import { TabNav } from '../../components/tab-nav';

const KINDS: Record<string, { label: string; page: LazyExoticComponent<ComponentType> }> = {
  trends: { label: 'Trends', page: lazy(() => import('./trends/trends-page')) },
  funnels: { label: 'Funnels', page: lazy(() => import('./funnels/funnels-page')) },
  retention: { label: 'Retention', page: lazy(() => import('./retention/retention-page')) },
  paths: { label: 'Paths', page: lazy(() => import('./paths/paths-page')) },
  stickiness: { label: 'Stickiness', page: lazy(() => import('./stickiness/stickiness-page')) },
  lifecycle: { label: 'Lifecycle', page: lazy(() => import('./lifecycle/lifecycle-page')) },
};

/** The Insights section. */
export default function InsightsView() {
  const { kind = 'trends' } = useParams();
  const entry = KINDS[kind];
  return (
    <div className="page">
      <div className="page-header">
        <h1>Insights</h1>
        <span className="muted">Queries over silver.events, identity-resolved. The URL holds the query: share it.</span>
      </div>
      <TabNav
        label="Insight kinds"
        items={Object.entries(KINDS).map(([k, v]) => ({ to: `/insights/${k}`, label: v.label }))}
      />
      {entry ? (
        <Suspense
          fallback={
            <div className="state state-loading" role="status">
              Loading…
            </div>
          }
        >
          <entry.page />
        </Suspense>
      ) : (
        <div className="state state-error" role="alert">
          Unknown insight kind “{kind}”.
        </div>
      )}
    </div>
  );
}
