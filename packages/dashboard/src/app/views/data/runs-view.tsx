// Data › Pipeline runs: lens.runs (read over /api/sql, as the server has no runs route) — status, rows in/out,
// duration and each run's expectation results, newest first, filterable by pipeline.
import { useState } from 'react';
import { runSql, sqlString } from '../../api/sql-api';
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

/** Newest runs first, at most SHOWN_RUNS of them; of one pipeline when one is picked (its own latest, however old). */
const SHOWN_RUNS = 500;
const runsSql = (
  pipeline: string,
) => `SELECT run_id, pipeline, mode, status, attempt, CAST(started_at AS VARCHAR) AS started_at, CAST(ended_at AS VARCHAR) AS ended_at,
  output_version, rows_in, rows_out, rows_deleted, expectations, error FROM lens.runs${pipeline ? ` WHERE pipeline = ${sqlString(pipeline)}` : ''}
  ORDER BY started_at DESC LIMIT ${SHOWN_RUNS}`;
/** Every pipeline that has run, with its run and failure counts: the picker and the totals, beyond the rows shown. */
const PIPELINES_SQL = `SELECT pipeline, count(*) AS runs, count(*) FILTER (WHERE status = 'failed') AS failed
  FROM lens.runs GROUP BY pipeline ORDER BY pipeline`;

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
  const [pipeline, setPipeline] = useState('');
  // Picking a pipeline queries its runs: filtering the newest 500 of all lost a rarely scheduled one (an hourly
  // pipeline beside continuous ones fell out of the list, and out of the picker, within hours).
  const runs = useApi(`runs:${pipeline}`, (s) => runSql(runsSql(pipeline), s), { refreshMs: 15_000 });
  const pipelines = useApi('run-pipelines', (s) => runSql(PIPELINES_SQL, s), { refreshMs: 15_000 });
  const counts = (pipelines.data?.rows ?? []) as { pipeline: string; runs: number; failed: number }[];
  const counted = pipeline ? counts.filter((c) => c.pipeline === pipeline) : counts;
  const total = counted.reduce((n, c) => n + Number(c.runs), 0);
  const failed = counted.reduce((n, c) => n + Number(c.failed), 0);
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
          return (
            <div className="panel">
              <h2>
                Runs{' '}
                {pipelines.data && (
                  <span className="muted" data-testid="runs-count">
                    {total} runs, {failed} failed{rows.length < total ? ` (the latest ${rows.length} shown)` : ''}
                  </span>
                )}
              </h2>
              <div className="builder">
                <label>
                  Pipeline
                  <select value={pipeline} onChange={(e) => setPipeline(e.target.value)}>
                    <option value="">All pipelines</option>
                    {counts.map((c) => (
                      <option key={c.pipeline}>{c.pipeline}</option>
                    ))}
                  </select>
                </label>
              </div>
              <DataTable label="Pipeline runs" rows={rows} columns={COLUMNS} />
            </div>
          );
        }}
      </DataState>
    </div>
  );
}
