// Realtime, the newsroom screen: trending articles with sparkline and velocity, events per minute and
// active readers, per site and section; refreshes itself every 5 seconds. No chart library: it paints fast.
import { useMemo } from 'react';
import { runSql, type SqlResult } from '../../api/sql-api';
import { fetchTrending, type TrendingResult } from '../../api/trending-api';
import { useApi } from '../../api/use-api';
import { useUrlQuery } from '../../api/use-url-query';
import { DataState } from '../../components/data-state';
import { Sparkline } from '../../components/sparkline';
import { StatCard } from '../../components/stat-card';
import { activeReadersSql, pulseSql, SCOPES_SQL, sectionsSql, type RealtimeScope } from './realtime-queries';
import { SectionsPanel } from './sections-panel';
import { RealtimeFilters } from './realtime-filters';
import { TrendingTable } from './trending-table';

const REFRESH_MS = 5_000;

async function fetchPulse(
  scope: RealtimeScope,
  signal: AbortSignal,
): Promise<{ perMinute: SqlResult; active: SqlResult; sections: SqlResult }> {
  const [perMinute, active, sections] = await Promise.all(
    [pulseSql(scope), activeReadersSql(scope), sectionsSql(scope)].map((sql) => runSql(sql, signal)),
  );
  return { perMinute: perMinute!, active: active!, sections: sections! };
}

/** The Realtime page. `?q={"now":"…"}` pins the clock (replays, tests). */
export default function RealtimeView() {
  const [scope, setScope] = useUrlQuery<RealtimeScope>('q', { minutes: 60 });
  const key = JSON.stringify(scope);
  const trending = useApi<TrendingResult>(`trending:${key}`, (s) => fetchTrending({ ...scope, limit: 20 }, s), {
    refreshMs: REFRESH_MS,
  });
  // Secondary figures wait for the first trending answer: on a cold load they would compete with it for the
  // server's cores, and the trending rows are what the newsroom looks at first.
  const first = trending.data !== undefined || trending.error !== undefined;
  const pulse = useApi(first ? `pulse:${key}` : null, (s) => fetchPulse(scope, s), { refreshMs: REFRESH_MS });
  const scopes = useApi(first ? 'scopes' : null, (s) => runSql(SCOPES_SQL, s));
  const perMinute = useMemo(() => {
    const byAgo = new Map(
      (pulse.data?.perMinute.rows ?? []).map((r) => [Number(r['minutes_ago']), Number(r['events'])]),
    );
    return Array.from({ length: 30 }, (_, i) => byAgo.get(29 - i) ?? 0);
  }, [pulse.data]);
  const active = pulse.data?.active.rows[0];
  return (
    <div className="page">
      <div className="page-header">
        <h1>Realtime</h1>
        <span className="muted" aria-live="polite">
          {trending.updatedAt ? `Updated ${trending.updatedAt.toLocaleTimeString()}` : 'Loading…'} · refreshes every{' '}
          {REFRESH_MS / 1000}s{scope.now ? ` · pinned at ${scope.now}` : ''}
        </span>
      </div>
      <RealtimeFilters scope={scope} scopes={scopes.data?.rows ?? []} onChange={setScope} />
      <div className="stats">
        <StatCard
          label="Events per minute"
          testId="events-per-minute"
          value={pulse.data ? (perMinute[29] ?? 0).toLocaleString('en-US') : '…'}
          hint={
            <>
              <Sparkline values={perMinute} width={120} label="Events per minute, last 30 minutes" /> last 60 s; 30 min
            </>
          }
        />
        <StatCard
          label="Active readers"
          testId="active-readers"
          value={active ? Number(active['active']).toLocaleString('en-US') : '…'}
          hint="last 5 minutes"
        />
        <StatCard
          label={`Article views (${scope.minutes} min)`}
          testId="trending-views"
          value={trending.data ? trending.data.articles.reduce((n, a) => n + a.views, 0).toLocaleString('en-US') : '…'}
          hint="top 20 trending"
        />
      </div>
      {pulse.error && !pulse.data && (
        <div className="state state-error" role="alert">
          Pulse unavailable: {pulse.error.message}
        </div>
      )}
      <DataState
        state={trending}
        isEmpty={(t) => t.articles.length === 0}
        empty={`No article views in the last ${scope.minutes} minutes${scope.site || scope.section ? ' for this site/section' : ''}.`}
      >
        {(t) => <TrendingTable result={t} scope={scope} />}
      </DataState>
      {pulse.data && (
        <SectionsPanel
          rows={pulse.data.sections.rows}
          minutes={scope.minutes}
          onPick={(site, section) => setScope({ ...scope, site, section })}
        />
      )}
    </div>
  );
}
