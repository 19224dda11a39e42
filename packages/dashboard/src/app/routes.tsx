// The URL map of the dashboard. Every view but Realtime (the landing page) is code-split (`lazy`), so a page
// loads the shell plus its view; ECharts loads only with the first chart.
import { createBrowserRouter, Navigate, type RouteObject } from 'react-router';
import { AppShell } from './app-shell';
import RealtimeView from './views/realtime/realtime-view';
import { RouteError } from './route-error';

const view = (load: () => Promise<{ default: React.ComponentType }>) => async () => ({
  Component: (await load()).default,
});

const routes: RouteObject[] = [
  {
    path: '/',
    element: <AppShell />,
    errorElement: <RouteError />,
    // Opened straight on a code-split page, the router loads that page before the first render: this shows
    // meanwhile (without it React Router warned "No HydrateFallback element" on every such load).
    hydrateFallbackElement: (
      <div className="state state-loading" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" /> Loading…
      </div>
    ),
    children: [
      { index: true, element: <Navigate to="/realtime" replace /> },
      // The landing view ships in the entry chunk: one round trip less before the newsroom screen paints.
      { path: 'realtime', element: <RealtimeView /> },
      { path: 'insights', element: <Navigate to="/insights/trends" replace /> },
      { path: 'insights/:kind', lazy: view(() => import('./views/insights/insights-view')) },
      { path: 'search', lazy: view(() => import('./views/search/search-view')) },
      { path: 'content', lazy: view(() => import('./views/content/content-view')) },
      { path: 'data', element: <Navigate to="/data/catalog" replace /> },
      { path: 'data/catalog', lazy: view(() => import('./views/data/catalog-view')) },
      { path: 'data/catalog/:table', lazy: view(() => import('./views/data/table-detail-view')) },
      { path: 'data/runs', lazy: view(() => import('./views/data/runs-view')) },
      { path: 'data/lineage', lazy: view(() => import('./views/data/lineage-view')) },
      { path: 'data/quarantine', lazy: view(() => import('./views/data/quarantine-view')) },
      { path: 'sql', lazy: view(() => import('./views/sql/sql-view')) },
      { path: '*', element: <RouteError notFound /> },
    ],
  },
];

export const router = createBrowserRouter(routes);
