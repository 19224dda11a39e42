// SQL: a read-only editor over the lake (POST /api/sql). The statement lives in the URL so a query can be
// shared; results show as a sortable table plus a quick chart of one numeric column.
import { useState } from 'react';
import { runSql, type SqlResult } from '../../api/sql-api';
import { useApi } from '../../api/use-api';
import { useUrlQuery } from '../../api/use-url-query';
import { columnsOf, DataTable } from '../../components/data-table';
import { DataState } from '../../components/data-state';
import { QuickChart } from './quick-chart';

const EXAMPLES: readonly { label: string; sql: string }[] = [
  { label: 'Events per day', sql: 'SELECT event_date, count(*) AS events FROM silver.events GROUP BY 1 ORDER BY 1' },
  {
    label: 'Top sections',
    sql: 'SELECT section, count(*) AS views FROM silver.events WHERE section IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 20',
  },
  { label: 'Daily KPIs', sql: 'SELECT * FROM gold.kpi_daily ORDER BY 1 DESC LIMIT 50' },
  { label: 'Pipeline runs', sql: 'SELECT * FROM lens.runs ORDER BY started_at DESC LIMIT 50' },
];
const DEFAULT = { sql: EXAMPLES[0]!.sql };

/** The SQL editor page. */
export default function SqlView() {
  const [query, setQuery] = useUrlQuery('q', DEFAULT);
  const [draft, setDraft] = useState(query.sql);
  const [runId, setRunId] = useState(0);
  const result = useApi<SqlResult>(`${runId}:${query.sql}`, (signal) => runSql(query.sql, signal));
  // A new statement runs through the URL change alone; bumping the run id with it ran the previous statement once
  // more first (the id changed a render before the URL did). The id only re-runs an unchanged statement.
  const submit = () => {
    if (draft === query.sql) setRunId((n) => n + 1);
    else setQuery({ sql: draft });
  };

  return (
    <div className="page">
      <div className="page-header">
        <h1>SQL</h1>
        <span className="muted">Read-only DuckDB SQL over every lake table (bronze.*, silver.*, gold.*, lens.*).</span>
      </div>
      <form
        className="panel"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor="sql-editor" className="muted">
          Query (Ctrl+Enter to run)
        </label>
        <textarea
          id="sql-editor"
          className="sql"
          spellCheck={false}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <div className="builder">
          <button type="submit" className="primary">
            Run
          </button>
          <label>
            Examples
            <select
              value=""
              onChange={(e) => {
                const ex = EXAMPLES.find((x) => x.label === e.target.value);
                if (ex) setDraft(ex.sql);
              }}
            >
              <option value="">Pick one…</option>
              {EXAMPLES.map((ex) => (
                <option key={ex.label}>{ex.label}</option>
              ))}
            </select>
          </label>
        </div>
      </form>
      <DataState state={result} isEmpty={(r) => r.rows.length === 0} empty="The query returned no rows.">
        {(r) => (
          <>
            <div className="panel">
              <h2>
                Results{' '}
                <span className="muted" data-testid="sql-row-count">
                  {r.rows.length} rows{r.truncated ? ' (truncated at the row cap)' : ''}
                  {r.tables?.length ? ` · read ${r.tables.map((t) => `${t.table}@v${t.version}`).join(', ')}` : ''}
                </span>
              </h2>
              <DataTable label="Query results" rows={r.rows} columns={columnsOf(r.columns)} maxRows={1000} />
            </div>
            <QuickChart result={r} />
          </>
        )}
      </DataState>
    </div>
  );
}
