// Data › Catalog: every lake table with version, files, rows, size and how fresh its last commit is; a
// table's name opens its schema, history and files.
import { Link } from 'react-router';
import { fetchTables, type TableInfo } from '../../api/tables-api';
import { useApi } from '../../api/use-api';
import { DataState } from '../../components/data-state';
import { DataTable, type Column } from '../../components/data-table';
import { formatAge, formatBytes } from '../../components/format';
import { DataTabs } from './data-tabs';

type Row = TableInfo & Record<string, unknown>;

const COLUMNS: Column<Row>[] = [
  {
    key: 'name',
    header: 'Table',
    render: (t) => <Link to={`/data/catalog/${encodeURIComponent(t.name)}`}>{t.name}</Link>,
  },
  { key: 'layer', header: 'Layer', hideNarrow: true },
  { key: 'version', header: 'Version', numeric: true },
  { key: 'files', header: 'Files', numeric: true, hideNarrow: true },
  { key: 'rows', header: 'Rows', numeric: true },
  {
    key: 'sizeBytes',
    header: 'Size',
    numeric: true,
    render: (t) => (t.sizeBytes === null ? '—' : formatBytes(t.sizeBytes)),
  },
  {
    key: 'lastCommit',
    header: 'Last commit',
    render: (t) =>
      t.lastCommit ? (
        <time dateTime={t.lastCommit} title={t.lastCommit}>
          {formatAge(t.lastCommit)}
        </time>
      ) : (
        '—'
      ),
  },
];

/** The catalog page. */
export default function CatalogView() {
  const tables = useApi('tables', fetchTables, { refreshMs: 15_000 });
  return (
    <div className="page">
      <div className="page-header">
        <h1>Data</h1>
        <span className="muted">The lakehouse: Delta tables by layer.</span>
      </div>
      <DataTabs />
      <DataState
        state={tables}
        isEmpty={(t) => t.length === 0}
        empty="No tables yet: start the loader and the pipelines (lens up)."
      >
        {(list) => (
          <div className="panel">
            <h2>
              Catalog <span className="muted">{list.length} tables</span>
            </h2>
            <DataTable label="Lake tables" rows={list as Row[]} columns={COLUMNS} />
          </div>
        )}
      </DataState>
    </div>
  );
}
