// Content: pick an article (most viewed of the period), then see its readers over time, referrers,
// read-through and what it is co-read with. The article and period live in the URL.
import { useState } from 'react';
import { runSql } from '../../api/sql-api';
import { useApi } from '../../api/use-api';
import { useUrlQuery } from '../../api/use-url-query';
import { DataState } from '../../components/data-state';
import { DataTable } from '../../components/data-table';
import { DaysSelect } from '../../components/days-select';
import { ArticleDetail } from './article-detail';
import { topArticlesSql } from './content-queries';

/** The content page. */
export default function ContentView() {
  const [query, setQuery] = useUrlQuery<{ article?: string; days: number }>('q', { days: 7 });
  const [filter, setFilter] = useState('');
  const top = useApi(`top:${query.days}`, (s) => runSql(topArticlesSql(query.days), s));
  return (
    <div className="page">
      <div className="page-header">
        <h1>Content</h1>
        <span className="muted">
          How an article is read: readers over time, where they come from, how far they read.
        </span>
      </div>
      <div className="panel builder">
        <DaysSelect value={query.days} onChange={(days) => setQuery({ ...query, days })} />
        {query.article && (
          <button type="button" onClick={() => setQuery({ days: query.days })}>
            ← All articles
          </button>
        )}
      </div>
      {query.article ? (
        <ArticleDetail id={query.article} days={query.days} onPick={(article) => setQuery({ ...query, article })} />
      ) : (
        <DataState state={top} isEmpty={(r) => r.rows.length === 0} empty="No article views in this period.">
          {(r) => {
            const needle = filter.toLowerCase();
            const rows = r.rows.filter(
              (x) =>
                !needle ||
                `${String(x['title'])} ${String(x['article_id'])} ${String(x['section'])}`
                  .toLowerCase()
                  .includes(needle),
            );
            return (
              <div className="panel">
                <h2>Most read</h2>
                <div className="builder">
                  <label>
                    Find an article
                    <input
                      type="search"
                      value={filter}
                      onChange={(e) => setFilter(e.target.value)}
                      placeholder="title, id or section"
                    />
                  </label>
                </div>
                <DataTable
                  label="Most read articles"
                  rows={rows}
                  columns={[
                    {
                      key: 'title',
                      header: 'Article',
                      render: (x) => (
                        <a
                          href={`?q=${encodeURIComponent(JSON.stringify({ days: query.days, article: x['article_id'] }))}`}
                          onClick={(e) => {
                            e.preventDefault();
                            setQuery({ ...query, article: String(x['article_id']) });
                          }}
                        >
                          {String(x['title'] ?? x['article_id'])}
                        </a>
                      ),
                    },
                    { key: 'section', header: 'Section' },
                    { key: 'views', header: 'Views', numeric: true },
                  ]}
                />
              </div>
            );
          }}
        </DataState>
      )}
    </div>
  );
}
