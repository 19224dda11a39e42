// The trending list: rank, title, site/section, views in the window with a sparkline, and velocity (views
// per hour now over the article's own baseline). Sparklines and titles come from one SQL round trip.
import { runSql } from '../../api/sql-api';
import type { TrendingArticle, TrendingResult } from '../../api/trending-api';
import { useApi } from '../../api/use-api';
import { DataTable, type Column } from '../../components/data-table';
import { Sparkline } from '../../components/sparkline';
import { sparklineSql, type RealtimeScope } from './realtime-queries';

type Row = TrendingArticle & { rank: number; title: string; spark: number[] } & Record<string, unknown>;

const COLUMNS: Column<Row>[] = [
  { key: 'rank', header: '#', numeric: true },
  {
    key: 'title',
    header: 'Article',
    render: (r) => (
      <a href={`/content?q=${encodeURIComponent(JSON.stringify({ days: 1, article: r.articleId }))}`}>{r.title}</a>
    ),
  },
  {
    key: 'section',
    header: 'Section',
    hideNarrow: true,
    render: (r) => [r.site, r.section].filter(Boolean).join(' / '),
  },
  {
    key: 'spark',
    header: 'Last hour',
    hideNarrow: true,
    render: (r) => <Sparkline values={r.spark} label={`${r.title}: views over the window, ${r.spark.join(', ')}`} />,
  },
  { key: 'views', header: 'Views', numeric: true },
  {
    key: 'velocity',
    header: 'Velocity',
    numeric: true,
    render: (r) => (
      <span
        className={r.velocity >= 1 ? 'velocity-up' : 'velocity-down'}
        title={`baseline ${r.baselineViewsPerHour.toFixed(1)} views/h`}
      >
        {r.velocity >= 1 ? '▲' : '▼'} {r.velocity.toFixed(1)}×
      </span>
    ),
  },
];

/** The trending table with sparklines. */
export function TrendingTable({ result, scope }: { result: TrendingResult; scope: RealtimeScope }) {
  const ids = result.articles.map((a) => a.articleId);
  const key = `${ids.join(',')}@${result.now}`;
  // Pinned to the trending answer's own `now`, so sparklines and counts describe the same window.
  const extras = useApi(ids.length ? key : null, async (s) => {
    const spark = await runSql(sparklineSql({ ...scope, now: result.now }, ids), s);
    return {
      spark: spark.rows,
      titles: new Map(spark.rows.filter((r) => r['title']).map((r) => [String(r['article_id']), String(r['title'])])),
    };
  });
  const rows: Row[] = result.articles.map((a, i) => {
    const spark = new Array<number>(12).fill(0);
    for (const r of extras.data?.spark ?? [])
      if (r['article_id'] === a.articleId) spark[11 - Number(r['bucket'])] = Number(r['views']);
    return { ...a, rank: i + 1, title: extras.data?.titles.get(a.articleId) ?? a.articleId, spark };
  });
  return (
    <div className="panel" aria-busy={extras.data === undefined} data-testid="trending-panel">
      <h2>
        Trending now{' '}
        <span className="muted">
          top {result.articles.length} over {result.minutes} min · bronze v{result.bronzeVersion}
        </span>
      </h2>
      <DataTable label="Trending articles" rows={rows} columns={COLUMNS} />
    </div>
  );
}
