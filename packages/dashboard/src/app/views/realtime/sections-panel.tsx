// Realtime's per-site/section view: article views and readers in the window; a row narrows the screen to it.
import { DataTable } from '../../components/data-table';

/** Sections by views; clicking one sets the site/section filters. */
export function SectionsPanel({
  rows,
  minutes,
  onPick,
}: {
  rows: readonly Record<string, unknown>[];
  minutes: number;
  onPick: (site: string, section: string) => void;
}) {
  if (rows.length === 0) return null;
  return (
    <div className="panel">
      <h2>
        By site and section <span className="muted">article views, last {minutes} min</span>
      </h2>
      <DataTable
        label="Views by section"
        rows={rows}
        columns={[
          { key: 'site', header: 'Site' },
          {
            key: 'section',
            header: 'Section',
            render: (r) => (
              <button type="button" className="link" onClick={() => onPick(String(r['site']), String(r['section']))}>
                {String(r['section'])}
              </button>
            ),
          },
          { key: 'views', header: 'Views', numeric: true },
          { key: 'readers', header: 'Readers', numeric: true },
        ]}
      />
    </div>
  );
}
