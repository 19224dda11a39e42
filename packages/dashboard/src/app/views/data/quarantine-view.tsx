// Data › Quarantine: rows kept out of the lake with the reason — bronze.quarantine (what the collector or the
// loader rejected) and each pipeline's <table>_quarantine (rows that failed an expectation) — read over SQL.
import { useState } from 'react';
import { runSql } from '../../api/sql-api';
import { fetchTables } from '../../api/tables-api';
import { useApi } from '../../api/use-api';
import { DataState } from '../../components/data-state';
import { columnsOf, DataTable } from '../../components/data-table';
import { DataTabs } from './data-tabs';

/** bronze.quarantine says why in `reason` (and where in `stage`); pipeline quarantines name the expectation. */
function queries(table: string) {
  const bronze = table === 'bronze.quarantine';
  // A batch event's reason starts with its place in the batch (`batch[72].previousId: …`): grouped without it,
  // one cause is one row, not dozens.
  const reason = bronze
    ? `regexp_replace(reason, '^batch\\[\\d+\\]\\.', 'batch[].') AS reason, stage`
    : 'expectation AS reason';
  const at = bronze ? 'received_at' : 'quarantined_at';
  return {
    reasons: `SELECT ${reason}, count(*) AS rows FROM ${table} GROUP BY ALL ORDER BY rows DESC LIMIT 100`,
    rows: bronze
      ? `SELECT CAST(received_at AS VARCHAR) AS received_at, reason, stage, source_id, route, message_id, left(raw, 400) AS raw FROM ${table} ORDER BY ${at} DESC LIMIT 200`
      : `SELECT CAST(quarantined_at AS VARCHAR) AS quarantined_at, expectation AS reason, batch, left("row", 400) AS "row" FROM ${table} ORDER BY ${at} DESC LIMIT 200`,
  };
}

/** The quarantine browser. */
export default function QuarantineView() {
  const tables = useApi('tables', fetchTables);
  const quarantines = (tables.data ?? []).filter((t) => t.name.endsWith('quarantine')).map((t) => t.name);
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const table = picked ?? (quarantines.includes('bronze.quarantine') ? 'bronze.quarantine' : quarantines[0]);
  const q = table ? queries(table) : undefined;
  const reasons = useApi(q ? `reasons:${table}` : null, (s) => runSql(q!.reasons, s));
  const rows = useApi(q ? `rows:${table}` : null, (s) => runSql(q!.rows, s));
  return (
    <div className="page">
      <div className="page-header">
        <h1>Data</h1>
        <span className="muted">Quarantine: rows kept out, and why.</span>
      </div>
      <DataTabs />
      <DataState
        state={tables}
        isEmpty={() => quarantines.length === 0}
        empty="No quarantine tables: nothing has been rejected yet."
      >
        {() => (
          <>
            <div className="builder panel">
              <label>
                Table
                <select value={table} onChange={(e) => setPicked(e.target.value)}>
                  {quarantines.map((n) => (
                    <option key={n}>{n}</option>
                  ))}
                </select>
              </label>
            </div>
            <div className="grid">
              <div className="panel">
                <h2>Reasons</h2>
                <DataState state={reasons} isEmpty={(r) => r.rows.length === 0} empty="This table is empty.">
                  {(r) => <DataTable label="Quarantine reasons" rows={r.rows} columns={columnsOf(r.columns)} />}
                </DataState>
              </div>
              <div className="panel">
                <h2>Latest rows</h2>
                <DataState state={rows} isEmpty={(r) => r.rows.length === 0} empty="This table is empty.">
                  {(r) => <DataTable label="Quarantined rows" rows={r.rows} columns={columnsOf(r.columns)} />}
                </DataState>
              </div>
            </div>
          </>
        )}
      </DataState>
    </div>
  );
}
