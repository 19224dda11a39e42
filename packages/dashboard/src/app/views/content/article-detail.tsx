// One article: headline figures over the period, readers per hour/day, referrers, and co-read articles.
import { runSql, type SqlResult } from '../../api/sql-api';
import { useApi } from '../../api/use-api';
import { DataState } from '../../components/data-state';
import { DataTable } from '../../components/data-table';
import { EChart } from '../../components/echart';
import { formatDuration, formatPercent } from '../../components/format';
import { StatCard } from '../../components/stat-card';
import { articleDailySql, articleHourlySql, articleSql, coReadSql, sumReferrers } from './content-queries';

async function fetchArticle(id: string, days: number, signal: AbortSignal): Promise<SqlResult[]> {
  return Promise.all(
    [articleSql(id), articleDailySql(id, days), articleHourlySql(id, days), coReadSql(id, days)].map((sql) =>
      runSql(sql, signal),
    ),
  );
}

/** The article's page. */
export function ArticleDetail({ id, days, onPick }: { id: string; days: number; onPick: (id: string) => void }) {
  const data = useApi(`article:${id}:${days}`, (s) => fetchArticle(id, days, s));
  return (
    <DataState state={data} isEmpty={(d) => d[1]!.rows.length === 0} empty={`No views of ${id} in this period.`}>
      {([meta, daily, hourly, coRead]) => {
        const m = meta!.rows[0] ?? {};
        const d = daily!.rows;
        const views = d.reduce((n, r) => n + Number(r['views']), 0);
        const weighted = (col: string) =>
          d.reduce((n, r) => n + Number(r[col] ?? 0) * Number(r['views']), 0) / Math.max(1, views);
        const referrers = sumReferrers(d.map((r) => r['referrers']));
        const byHour = days <= 7;
        const series = byHour ? hourly!.rows : d;
        return (
          <>
            <div className="panel">
              <h2 data-testid="article-title">{String(m['title'] ?? id)}</h2>
              <p className="muted">
                {[
                  m['section'],
                  m['site'],
                  m['author'],
                  m['published_at'] ? `published ${String(m['published_at']).slice(0, 16)}` : null,
                ]
                  .filter(Boolean)
                  .join(' · ')}{' '}
                · <code>{id}</code>
              </p>
            </div>
            <div className="stats">
              <StatCard label="Views" value={views.toLocaleString('en-US')} testId="article-views" />
              <StatCard
                label="Reader-days"
                value={d.reduce((n, r) => n + Number(r['unique_readers']), 0).toLocaleString('en-US')}
                hint="unique readers per day, summed"
              />
              <StatCard
                label="Read-through"
                value={formatPercent(weighted('read_through_rate'))}
                hint="scrolled to the end"
                testId="article-read-through"
              />
              <StatCard label="Avg read time" value={formatDuration(weighted('avg_read_time_s'))} />
            </div>
            <div className="panel">
              <h2>Readers over time</h2>
              <EChart
                height={260}
                label={`Views per ${byHour ? 'hour' : 'day'}`}
                option={{
                  tooltip: { trigger: 'axis' },
                  legend: { bottom: 0 },
                  grid: { left: 48, right: 16, top: 16, bottom: 48 },
                  xAxis: { type: 'category', data: series.map((r) => r[byHour ? 'hour' : 'day']) },
                  yAxis: { type: 'value' },
                  series: [
                    { type: 'line', name: 'Views', data: series.map((r) => r['views']), showSymbol: false },
                    {
                      type: 'line',
                      name: 'Readers',
                      data: series.map((r) => r[byHour ? 'readers' : 'unique_readers']),
                      showSymbol: false,
                    },
                  ],
                }}
              />
            </div>
            <div className="grid">
              <div className="panel">
                <h2>Referrers</h2>
                {referrers.length === 0 ? (
                  <div className="state state-empty">No referrers recorded.</div>
                ) : (
                  <DataTable
                    label="Referrers"
                    rows={referrers}
                    columns={[
                      { key: 'host', header: 'Referrer' },
                      { key: 'views', header: 'Page views', numeric: true },
                    ]}
                  />
                )}
              </div>
              <div className="panel">
                <h2>Co-read with</h2>
                {coRead!.rows.length === 0 ? (
                  <div className="state state-empty">Its readers read nothing else in this period.</div>
                ) : (
                  <DataTable
                    label="Co-read articles"
                    rows={coRead!.rows}
                    columns={[
                      {
                        key: 'title',
                        header: 'Article',
                        render: (r) => (
                          <button type="button" className="link" onClick={() => onPick(String(r['article_id']))}>
                            {String(r['title'] ?? r['article_id'])}
                          </button>
                        ),
                      },
                      { key: 'shared_readers', header: 'Shared readers', numeric: true },
                      {
                        key: 'share',
                        header: 'Share',
                        numeric: true,
                        render: (r) => formatPercent(Number(r['share'])),
                      },
                    ]}
                  />
                )}
              </div>
            </div>
          </>
        );
      }}
    </DataState>
  );
}
