// Data › Catalog › one table: its schema, partitioning, version, files, rows, size and freshness (from
// /api/tables), its version history and live files (/api/tables/:name), and a sample of rows (over /api/sql).
import { Link, useParams } from 'react-router';
import { runSql } from '../../api/sql-api';
import { fetchTableDetail, fetchTables } from '../../api/tables-api';
import { useApi } from '../../api/use-api';
import { DataState } from '../../components/data-state';
import { columnsOf, DataTable } from '../../components/data-table';
import { formatAge, formatBytes, formatDuration } from '../../components/format';
import { StatCard } from '../../components/stat-card';
import { DataTabs } from './data-tabs';

/** The table page. */
export default function TableDetailView() {
  const { table = '' } = useParams();
  const tables = useApi('tables', fetchTables);
  // A table the catalog does not list is said once, not once per panel (history, files and sample each failed):
  // the panels ask only once the catalog has the table.
  const listed = tables.data?.some((t) => t.name === table) === true;
  const missing = tables.data !== undefined && !listed;
  const detail = useApi(listed ? `detail:${table}` : null, (s) => fetchTableDetail(table, s));
  const sample = useApi(listed ? `sample:${table}` : null, (s) =>
    runSql(`SELECT * FROM ${table.replace(/[^A-Za-z0-9_.]/g, '')} LIMIT 20`, s),
  );
  return (
    <div className="page">
      <div className="page-header">
        <h1>{table}</h1>
        <Link to="/data/catalog">← Catalog</Link>
      </div>
      <DataTabs />
      <DataState
        state={tables}
        isEmpty={(list) => !list.some((t) => t.name === table)}
        empty={`No table ${table} in the lake.`}
      >
        {(list) => {
          const t = list.find((x) => x.name === table)!;
          return (
            <>
              <div className="stats">
                <StatCard label="Version" value={t.version ?? '—'} testId="table-version" />
                <StatCard label="Rows" value={t.rows?.toLocaleString('en-US') ?? '—'} testId="table-rows" />
                <StatCard label="Files" value={t.files ?? '—'} />
                <StatCard label="Size" value={t.sizeBytes === null ? '—' : formatBytes(t.sizeBytes)} />
                <StatCard
                  label="Last commit"
                  value={t.lastCommit ? formatAge(t.lastCommit) : '—'}
                  hint={t.freshnessSeconds === null ? undefined : `fresh to ${formatDuration(t.freshnessSeconds)}`}
                />
              </div>
              <div className="panel">
                <h2>
                  Schema{' '}
                  <span className="muted">
                    {t.columns.length} columns
                    {t.partitionColumns.length ? ` · partitioned by ${t.partitionColumns.join(', ')}` : ''}
                  </span>
                </h2>
                <DataTable
                  label="Table schema"
                  rows={t.columns.map((c) => ({
                    column: c.name,
                    type: c.type,
                    nullable: c.nullable === undefined ? null : c.nullable ? 'yes' : 'no',
                    partition: t.partitionColumns.includes(c.name) ? 'yes' : '',
                  }))}
                  columns={[
                    { key: 'column', header: 'Column' },
                    { key: 'type', header: 'Type' },
                    { key: 'nullable', header: 'Nullable' },
                    { key: 'partition', header: 'Partition key' },
                  ]}
                />
              </div>
            </>
          );
        }}
      </DataState>
      {!missing && (
        <>
          <div className="panel">
            <h2>Version history</h2>
            <DataState state={detail} isEmpty={(d) => d.history.length === 0} empty="No commits.">
              {(d) => (
                <DataTable
                  label="Version history"
                  rows={d.history.map((h) => ({
                    version: h.version,
                    committed: h.timestamp,
                    operation: h.operation,
                    parameters: JSON.stringify(h.parameters),
                    metrics: JSON.stringify(h.metrics),
                  }))}
                  columns={[
                    { key: 'version', header: 'Version' },
                    { key: 'committed', header: 'Committed' },
                    { key: 'operation', header: 'Operation' },
                    { key: 'parameters', header: 'Parameters' },
                    { key: 'metrics', header: 'Metrics' },
                  ]}
                />
              )}
            </DataState>
          </div>
          <div className="panel">
            <h2>Live files</h2>
            <DataState state={detail} isEmpty={(d) => d.files.length === 0} empty="No live files.">
              {(d) => (
                <DataTable
                  label="Live files"
                  rows={d.files.map((f) => ({
                    file: f.path,
                    partition: Object.entries(f.partitionValues)
                      .map(([k, v]) => `${k}=${v ?? 'null'}`)
                      .join(', '),
                    rows: f.rows,
                    size: formatBytes(f.sizeBytes),
                    modified: f.modifiedAt,
                  }))}
                  columns={[
                    { key: 'file', header: 'File' },
                    { key: 'partition', header: 'Partition' },
                    { key: 'rows', header: 'Rows' },
                    { key: 'size', header: 'Size' },
                    { key: 'modified', header: 'Modified' },
                  ]}
                />
              )}
            </DataState>
          </div>
          <div className="panel">
            <h2>Sample rows</h2>
            <DataState state={sample} isEmpty={(r) => r.rows.length === 0} empty="The table is empty.">
              {(r) => <DataTable label="Sample rows" rows={r.rows} columns={columnsOf(r.columns)} />}
            </DataState>
          </div>
        </>
      )}
    </div>
  );
}
