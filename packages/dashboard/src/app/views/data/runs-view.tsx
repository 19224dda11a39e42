// Data › Pipeline runs: lens.runs (read over /api/sql, as the server has no runs route) — status, rows in/out,
// duration and each run's expectation results, newest first, filterable by pipeline.
import { useState } from 'react';
import { runSql } from '../../api/sql-api';
import { useApi } from '../../api/use-api';
import { DataState } from '../../components/data-state';
import { DataTable, type Column } from '../../components/data-table';
import { formatAge, formatDuration } from '../../components/format';
import { DataTabs } from './data-tabs';
import { ExpectationList, parseExpectations } from './expectation-list';

type RunRow = Record<string, unknown> & {
  pipeline: string;
  status: string;
  started_at: string;
  ended_at: string;
  expectations: string | null;
  error: string | null;
};

const RUNS_SQL = `SELECT run_id, pipeline, mode, status, attempt, CAST(started_at AS VARCHAR) AS started_at, CAST(ended_at AS VARCHAR) AS ended_at,
  output_version, rows_in, rows_out, rows_deleted, expectations, error FROM lens.runs ORDER BY started_at DESC LIMIT 500`;

const COLUMNS: Column<RunRow>[] = [
  { key: 'pipeline', header: 'Pipeline' },
  {
    key: 'status',
    header: 'Status',
    render: (r) => (
      <span className={`pill ${r.status === 'succeeded' ? 'good' : r.status === 'failed' ? 'bad' : ''}`}>
        {r.status}
      </span>
    ),
  },
  { key: 'mode', header: 'Mode' },
  {
    key: 'started_at',
    header: 'Started',
    render: (r) => (
      <time dateTime={r.started_at} title={r.started_at}>
        {formatAge(r.started_at)}
      </time>
    ),
  },
  {
    key: 'ended_at',
    header: 'Took',
    render: (r) => formatDuration((Date.parse(r.ended_at) - Date.parse(r.started_at)) / 1000),
  },
  { key: 'rows_in', header: 'Rows in', numeric: true },
  { key: 'rows_out', header: 'Rows out', numeric: true },
  { key: 'output_version', header: 'Version', numeric: true },
  {
    key: 'expectations',
    header: 'Expectations',
    render: (r) => <ExpectationList results={parseExpectations(r.expectations)} />,
  },
  { key: 'error', header: 'Error', render: (r) => (r.error ? <code className="error-message">{r.error}</code> : '') },
];

/** The pipeline runs page. */
export default function RunsView() {
  const runs = useApi('runs', (s) => runSql(RUNS_SQL, s), { refreshMs: 15_000 });
  const [pipeline, setPipeline] = useState('');
  return (
    <div className="page">
      <div className="page-header">
        <h1>Data</h1>
        <span className="muted">Prism pipeline runs and their expectation results (lens.runs).</span>
      </div>
      <DataTabs />
      <DataState state={runs} isEmpty={(r) => r.rows.length === 0} empty="No pipeline runs recorded yet.">
        {(r) => {
          const rows = r.rows as RunRow[];
          const names = [...new Set(rows.map((x) => x.pipeline))].sort();
          const shown = pipeline ? rows.filter((x) => x.pipeline === pipeline) : rows;
          const failed = rows.filter((x) => x.status === 'failed').length;
          return (
            <div className="panel">
              <h2>
                Runs{' '}
                <span className="muted" data-testid="runs-count">
                  {rows.length} runs, {failed} failed
                </span>
              </h2>
              <div className="builder">
                <label>
                  Pipeline
                  <select value={pipeline} onChange={(e) => setPipeline(e.target.value)}>
                    <option value="">All pipelines</option>
                    {names.map((n) => (
                      <option key={n}>{n}</option>
                    ))}
                  </select>
                </label>
              </div>
              <DataTable label="Pipeline runs" rows={shown} columns={COLUMNS} />
            </div>
          );
        }}
      </DataState>
    </div>
  );
}
