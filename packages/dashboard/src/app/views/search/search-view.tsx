// Search insights: searches, zero-result rate and click-through over a period, the top queries and the
// queries that found nothing — from gold.search_daily over /api/sql.
import { runSql, type SqlResult } from '../../api/sql-api';
import { useApi } from '../../api/use-api';
import { useUrlQuery } from '../../api/use-url-query';
import { DataState } from '../../components/data-state';
import { DataTable, type Column } from '../../components/data-table';
import { DaysSelect, lastDaysSql } from '../../components/days-select';
import { EChart } from '../../components/echart';
import { formatPercent } from '../../components/format';
import { StatCard } from '../../components/stat-card';

type QueryRow = { query: string; searches: number; zero_result_searches: number; clicks: number; ctr: number | null } & Record<string, unknown>;

const COLUMNS: Column<QueryRow>[] = [
  { key: 'query', header: 'Query' }, { key: 'searches', header: 'Searches', numeric: true },
  { key: 'zero_result_searches', header: 'Zero results', numeric: true }, { key: 'clicks', header: 'Clicks', numeric: true },
  { key: 'ctr', header: 'Click-through', numeric: true, render: (r) => (r.ctr === null ? '—' : formatPercent(Number(r.ctr))) },
];

function queries(days: number) {
  const where = lastDaysSql('day', days);
  const perQuery = `SELECT query, sum(searches)::BIGINT AS searches, sum(zero_result_searches)::BIGINT AS zero_result_searches, sum(clicks)::BIGINT AS clicks,
    sum(clicks) / nullif(sum(searches), 0) AS ctr FROM gold.search_daily WHERE ${where} GROUP BY query`;
  return {
    totals: `SELECT sum(searches)::BIGINT AS searches, sum(zero_result_searches)::BIGINT AS zero, sum(clicks)::BIGINT AS clicks FROM gold.search_daily WHERE ${where}`,
    daily: `SELECT CAST(day AS VARCHAR) AS day, sum(searches)::BIGINT AS searches, sum(zero_result_searches)::BIGINT AS zero FROM gold.search_daily WHERE ${where} GROUP BY day ORDER BY day`,
    top: `${perQuery} ORDER BY searches DESC, query LIMIT 50`,
    zero: `${perQuery} HAVING sum(zero_result_searches) > 0 ORDER BY zero_result_searches DESC, query LIMIT 50`,
  };
}

async function fetchSearch(days: number, signal: AbortSignal): Promise<Record<keyof ReturnType<typeof queries>, SqlResult>> {
  const q = queries(days);
  const [totals, daily, top, zero] = await Promise.all([q.totals, q.daily, q.top, q.zero].map((sql) => runSql(sql, signal)));
  return { totals: totals!, daily: daily!, top: top!, zero: zero! };
}

/** The search insights page. */
export default function SearchView() {
  const [query, setQuery] = useUrlQuery('q', { days: 7 });
  const data = useApi(`search:${query.days}`, (s) => fetchSearch(query.days, s));
  return (
    <div className="page">
      <div className="page-header"><h1>Search</h1><span className="muted">What readers search for, what finds nothing, and what they click.</span></div>
      <div className="panel builder"><DaysSelect value={query.days} onChange={(days) => setQuery({ days })} /></div>
      <DataState state={data} isEmpty={(d) => Number(d.totals.rows[0]?.['searches'] ?? 0) === 0} empty="No searches in this period.">
        {(d) => {
          const t = d.totals.rows[0] ?? {};
          const searches = Number(t['searches'] ?? 0);
          return (
            <>
              <div className="stats">
                <StatCard label="Searches" value={searches.toLocaleString('en-US')} testId="search-total" />
                <StatCard label="Zero-result rate" value={formatPercent(Number(t['zero'] ?? 0) / searches)} testId="search-zero-rate" />
                <StatCard label="Click-through" value={formatPercent(Number(t['clicks'] ?? 0) / searches)} testId="search-ctr" />
              </div>
              <div className="panel"><h2>Searches per day</h2>
                <EChart height={220} label="Searches and zero-result searches per day" option={{
                  tooltip: { trigger: 'axis' }, legend: { bottom: 0 }, grid: { left: 48, right: 16, top: 16, bottom: 48 },
                  xAxis: { type: 'category', data: d.daily.rows.map((r) => r['day']) }, yAxis: { type: 'value' },
                  series: [{ type: 'bar', name: 'Searches', data: d.daily.rows.map((r) => r['searches']) }, { type: 'bar', name: 'Zero results', data: d.daily.rows.map((r) => r['zero']) }],
                }} />
              </div>
              <div className="grid">
                <div className="panel"><h2>Top queries</h2><DataTable label="Top queries" rows={d.top.rows as QueryRow[]} columns={COLUMNS} /></div>
                <div className="panel"><h2>Zero-result queries</h2>
                  {d.zero.rows.length === 0 ? <div className="state state-empty">Every search found something.</div>
                    : <DataTable label="Zero-result queries" rows={d.zero.rows as QueryRow[]} columns={COLUMNS} />}
                </div>
              </div>
            </>
          );
        }}
      </DataState>
    </div>
  );
}
