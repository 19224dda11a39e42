// Insights › Paths: what people do after (or before) an event or page, within sessions — a Sankey of the top
// step-to-step transitions, and the transitions as a table.
import type { CommonQuery } from '../../../api/insights-api';
import { cleanFilters } from '../../../api/insights-api';
import { DataTable } from '../../../components/data-table';
import { EChart } from '../../../components/echart';
import { DateRangeSelect } from '../builder/date-range-select';
import { EventSelect } from '../builder/event-select';
import { InsightPage } from '../insight-page';

/** The paths query kept in the URL. */
export interface PathsDraft extends CommonQuery {
  nodeType: 'event' | 'page';
  start?: string;
  end?: string;
  steps: number;
  limit: number;
  exclude: string[];
}
/** Mirrors @lens/insights' PathsResult. */
export interface PathsResult {
  nodes: { id: string; level: number; name: string; value: number }[];
  links: { source: string; target: string; level: number; value: number }[];
  sessions: number;
}

const DEFAULTS: PathsDraft = {
  nodeType: 'event',
  start: 'Home',
  steps: 4,
  limit: 40,
  exclude: ['identify', 'alias', 'group'],
  dateRange: { last: 7, unit: 'day' },
  filters: [],
};

/** Request body of a paths draft. */
export function pathsRequest(q: PathsDraft): object {
  return {
    nodeType: q.nodeType,
    ...(q.start ? { start: q.start } : {}),
    ...(q.end ? { end: q.end } : {}),
    steps: q.steps,
    limit: q.limit,
    exclude: q.exclude,
    dateRange: q.dateRange,
    filters: cleanFilters(q.filters),
  };
}

function PathsResultView({ result }: { result: PathsResult }) {
  const names = new Map(result.nodes.map((n) => [n.id, n.name]));
  const option = {
    tooltip: { trigger: 'item' },
    series: [
      {
        type: 'sankey',
        left: 8,
        right: 170,
        top: 8,
        bottom: 8,
        nodeGap: 10,
        emphasis: { focus: 'adjacency' },
        lineStyle: { color: 'gradient', opacity: 0.4 },
        data: result.nodes.map((n) => ({ name: n.id })),
        links: result.links.map((l) => ({ source: l.source, target: l.target, value: l.value })),
        label: { formatter: (p: { name: string }) => names.get(p.name) ?? p.name },
      },
    ],
  };
  const rows = result.links.map((l) => ({
    step: l.level,
    from: names.get(l.source) ?? l.source,
    to: names.get(l.target) ?? l.target,
    sessions: l.value,
  }));
  return (
    <>
      <div className="panel">
        <h2>
          Paths{' '}
          <span className="muted" data-testid="paths-sessions">
            {result.sessions.toLocaleString('en-US')} sessions
          </span>
        </h2>
        <EChart
          option={option}
          height={Math.max(360, result.nodes.length * 14)}
          label={`Sankey diagram of ${result.links.length} transitions`}
        />
      </div>
      <div className="panel">
        <h2>Top transitions</h2>
        <DataTable
          label="Path transitions"
          rows={rows}
          columns={[
            { key: 'step', header: 'From step', numeric: true },
            { key: 'from', header: 'From' },
            { key: 'to', header: 'To' },
            { key: 'sessions', header: 'Sessions', numeric: true },
          ]}
        />
      </div>
    </>
  );
}

/** The paths page. */
export default function PathsPage() {
  return (
    <InsightPage<PathsDraft, PathsResult>
      kind="paths"
      defaults={DEFAULTS}
      toRequest={pathsRequest}
      isEmpty={(r) => r.links.length === 0}
      result={(r) => <PathsResultView result={r} />}
      builder={(d, set, schema) => (
        <>
          <label>
            Nodes
            <select
              value={d.nodeType}
              onChange={(e) =>
                set({ ...d, nodeType: e.target.value as PathsDraft['nodeType'], start: undefined, end: undefined })
              }
            >
              <option value="event">Events</option>
              <option value="page">Pages</option>
            </select>
          </label>
          {d.nodeType === 'event' ? (
            <>
              <EventSelect
                schema={{ ...schema, events: [{ name: '', count: 0 }, ...schema.events] }}
                label="Starting at"
                value={d.start ?? ''}
                onChange={(start) => set({ ...d, start: start || undefined })}
              />
              <EventSelect
                schema={{ ...schema, events: [{ name: '', count: 0 }, ...schema.events] }}
                label="Ending at"
                value={d.end ?? ''}
                onChange={(end) => set({ ...d, end: end || undefined })}
              />
            </>
          ) : (
            <>
              <label>
                Starting at page
                <input
                  value={d.start ?? ''}
                  placeholder="/ (any)"
                  onChange={(e) => set({ ...d, start: e.target.value || undefined })}
                />
              </label>
              <label>
                Ending at page
                <input
                  value={d.end ?? ''}
                  placeholder="(any)"
                  onChange={(e) => set({ ...d, end: e.target.value || undefined })}
                />
              </label>
            </>
          )}
          <label>
            Steps
            <input
              type="number"
              min={2}
              max={20}
              style={{ width: '5rem' }}
              value={d.steps}
              onChange={(e) => set({ ...d, steps: Math.min(20, Math.max(2, Number(e.target.value) || 2)) })}
            />
          </label>
          <label>
            Transitions
            <input
              type="number"
              min={1}
              max={1000}
              style={{ width: '6rem' }}
              value={d.limit}
              onChange={(e) => set({ ...d, limit: Math.min(1000, Math.max(1, Number(e.target.value) || 1)) })}
            />
          </label>
          <DateRangeSelect value={d.dateRange} onChange={(dateRange) => set({ ...d, dateRange })} />
        </>
      )}
    />
  );
}
