// Realtime's scope: site, section (from silver.content) and the trending window.
import type { RealtimeScope } from './realtime-queries';

/** Selects that rewrite the URL's scope. */
export function RealtimeFilters({
  scope,
  scopes,
  onChange,
}: {
  scope: RealtimeScope;
  scopes: readonly Record<string, unknown>[];
  onChange: (s: RealtimeScope) => void;
}) {
  const sites = [...new Set(scopes.map((r) => String(r['site'])))];
  const sections = [
    ...new Set(scopes.filter((r) => !scope.site || r['site'] === scope.site).map((r) => String(r['section']))),
  ].filter((s) => s !== 'null');
  return (
    <div className="panel builder">
      <label>
        Site
        <select
          value={scope.site ?? ''}
          onChange={(e) => onChange({ ...scope, site: e.target.value || undefined, section: undefined })}
        >
          <option value="">All sites</option>
          {sites.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Section
        <select
          value={scope.section ?? ''}
          onChange={(e) => onChange({ ...scope, section: e.target.value || undefined })}
        >
          <option value="">All sections</option>
          {sections.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Window
        <select value={scope.minutes} onChange={(e) => onChange({ ...scope, minutes: Number(e.target.value) })}>
          {[15, 30, 60, 120, 360].map((m) => (
            <option key={m} value={m}>
              {m < 60 ? `${m} minutes` : `${m / 60} hour${m > 60 ? 's' : ''}`}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
