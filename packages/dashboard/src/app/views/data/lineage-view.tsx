// Data › Lineage: which tables each pipeline reads, as a graph (and as a table, for keyboard and screen
// reader users), derived from the pipeline runs recorded in lens.runs.
import { runSql } from '../../api/sql-api';
import { useApi } from '../../api/use-api';
import { DataState } from '../../components/data-state';
import { DataTable } from '../../components/data-table';
import { EChart } from '../../components/echart';
import { DataTabs } from './data-tabs';
import { lineageChartOption, lineageEdges } from './lineage-graph';

const SQL = `SELECT pipeline, input_versions FROM lens.runs WHERE status = 'succeeded' AND input_versions IS NOT NULL AND input_versions <> '{}'`;

/** The lineage page. */
export default function LineageView() {
  const runs = useApi('lineage', (s) => runSql(SQL, s));
  return (
    <div className="page">
      <div className="page-header">
        <h1>Data</h1>
        <span className="muted">Lineage: the tables each pipeline reads, from recorded runs.</span>
      </div>
      <DataTabs />
      <DataState
        state={runs}
        isEmpty={(r) => r.rows.length === 0}
        empty="No pipeline has run yet, so there is no lineage to show."
      >
        {(r) => {
          const edges = lineageEdges(r.rows as { pipeline: unknown; input_versions: unknown }[]);
          return (
            <>
              <div className="panel">
                <h2>
                  Graph{' '}
                  <span className="muted" data-testid="lineage-edge-count">
                    {edges.length} edges
                  </span>
                </h2>
                <EChart
                  option={lineageChartOption(edges)}
                  height={420}
                  label={`Lineage graph: ${edges.map((e) => `${e.from} to ${e.to}`).join('; ')}`}
                />
              </div>
              <div className="panel">
                <h2>Edges</h2>
                <DataTable
                  label="Lineage edges"
                  rows={edges as unknown as Record<string, unknown>[]}
                  columns={[
                    { key: 'from', header: 'Reads' },
                    { key: 'to', header: 'Writes' },
                  ]}
                />
              </div>
            </>
          );
        }}
      </DataState>
    </div>
  );
}
