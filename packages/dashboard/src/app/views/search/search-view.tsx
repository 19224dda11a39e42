// Search insights (POST /api/insights/search): searches, zero-result rate, click-through and refinement over a
// period, the top queries and the queries that found nothing.
import { runInsight, type InsightResponse } from '../../api/insights-api';
import { useApi } from '../../api/use-api';
import { useUrlQuery } from '../../api/use-url-query';
import { DataState } from '../../components/data-state';
import { DataTable, type Column } from '../../components/data-table';
import { DaysSelect } from '../../components/days-select';
import { EChart } from '../../components/echart';
import { formatPercent } from '../../components/format';
import { StatCard } from '../../components/stat-card';

/** Mirrors @lens/insights' SearchQueryStats / SearchResult. */
export interface SearchQueryStats {
  query: string;
  searches: number;
  persons: number;
  zeroResultSearches: number;
  clickThroughRate: number;
  refinementRate: number;
}
export interface SearchResult {
  totals: {
    searches: number;
    zeroResultRate: number | null;
    clickThroughRate: number | null;
    refinementRate: number | null;
  };
  topQueries: SearchQueryStats[];
  zeroResultQueries: SearchQueryStats[];
}

type Row = SearchQueryStats & Record<string, unknown>;
const pct = (v: number | null) => (v === null ? '—' : formatPercent(v));
const COLUMNS: Column<Row>[] = [
  { key: 'query', header: 'Query' },
  { key: 'searches', header: 'Searches', numeric: true },
  { key: 'persons', header: 'Persons', numeric: true },
  { key: 'zeroResultSearches', header: 'Zero results', numeric: true },
  { key: 'clickThroughRate', header: 'Click-through', numeric: true, render: (r) => pct(r.clickThroughRate) },
  { key: 'refinementRate', header: 'Refined', numeric: true, render: (r) => pct(r.refinementRate) },
];

/** The request for the last `days` days. */
export const searchRequest = (days: number) => ({ dateRange: { last: days, unit: 'day' }, limit: 50 });

/** The search insights page. */
export default function SearchView() {
  const [query, setQuery] = useUrlQuery('q', { days: 7 });
  const answer = useApi<InsightResponse<SearchResult>>(`search:${query.days}`, (s) =>
    runInsight<SearchResult>('search', searchRequest(query.days), s),
  );
  return (
    <div className="page">
      <div className="page-header">
        <h1>Search</h1>
        <span className="muted">
          What readers search for, what finds nothing, what they click and when they rephrase.
        </span>
      </div>
      <div className="panel builder">
        <DaysSelect value={query.days} onChange={(days) => setQuery({ days })} />
      </div>
      <DataState state={answer} isEmpty={(a) => a.result.totals.searches === 0} empty="No searches in this period.">
        {({ result: r }) => (
          <>
            <div className="stats">
              <StatCard label="Searches" value={r.totals.searches.toLocaleString('en-US')} testId="search-total" />
              <StatCard label="Zero-result rate" value={pct(r.totals.zeroResultRate)} testId="search-zero-rate" />
              <StatCard label="Click-through" value={pct(r.totals.clickThroughRate)} testId="search-ctr" />
              <StatCard
                label="Refinement rate"
                value={pct(r.totals.refinementRate)}
                hint="searched again within minutes"
              />
            </div>
            <div className="panel">
              <h2>Top queries</h2>
              <EChart
                height={260}
                label="Searches and click-through of the top queries"
                option={{
                  tooltip: { trigger: 'axis' },
                  legend: { bottom: 0 },
                  grid: { left: 48, right: 48, top: 16, bottom: 72 },
                  xAxis: {
                    type: 'category',
                    data: r.topQueries.slice(0, 15).map((x) => x.query),
                    axisLabel: { rotate: 30 },
                  },
                  yAxis: [
                    { type: 'value', name: 'searches' },
                    {
                      type: 'value',
                      name: 'CTR',
                      max: 1,
                      axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` },
                    },
                  ],
                  series: [
                    { type: 'bar', name: 'Searches', data: r.topQueries.slice(0, 15).map((x) => x.searches) },
                    {
                      type: 'line',
                      name: 'Click-through',
                      yAxisIndex: 1,
                      data: r.topQueries.slice(0, 15).map((x) => x.clickThroughRate),
                    },
                  ],
                }}
              />
              <DataTable label="Top queries" rows={r.topQueries as Row[]} columns={COLUMNS} />
            </div>
            <div className="panel">
              <h2>Zero-result queries</h2>
              {r.zeroResultQueries.length === 0 ? (
                <div className="state state-empty">Every search found something.</div>
              ) : (
                <DataTable label="Zero-result queries" rows={r.zeroResultQueries as Row[]} columns={COLUMNS} />
              )}
            </div>
          </>
        )}
      </DataState>
    </div>
  );
}
