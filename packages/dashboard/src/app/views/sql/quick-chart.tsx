// The SQL view's quick chart: first column as the category/time axis, a numeric column picked by the user,
// as bars or a line.
import { useMemo, useState } from 'react';
import type { SqlResult } from '../../api/sql-api';
import { EChart } from '../../components/echart';

const isNumeric = (v: unknown) =>
  typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) && /^-?\d/.test(v));

/** Bar/line chart of one numeric column of a result against another column. */
export function QuickChart({ result }: { result: SqlResult }) {
  const numeric = useMemo(
    () =>
      result.columns.filter(
        (c) => result.rows.length > 0 && result.rows.every((r) => r[c] === null || isNumeric(r[c])),
      ),
    [result],
  );
  // The user's picks while the result has those columns; a new result with other columns falls back to its own
  // defaults (kept picks of the first query's columns drew an empty chart).
  const [xPick, setX] = useState<string>();
  const [yPick, setY] = useState<string>();
  const x = xPick !== undefined && result.columns.includes(xPick) ? xPick : (result.columns[0] ?? '');
  const y =
    yPick !== undefined && numeric.includes(yPick)
      ? yPick
      : (numeric.find((c) => c !== result.columns[0]) ?? numeric[0] ?? '');
  const [kind, setKind] = useState<'bar' | 'line'>('bar');
  if (numeric.length === 0 || result.rows.length < 2) return null;
  const rows = result.rows.slice(0, 500);
  const option = {
    tooltip: { trigger: 'axis' },
    grid: { left: 56, right: 16, top: 16, bottom: 48 },
    xAxis: { type: 'category', data: rows.map((r) => String(r[x] ?? '')) },
    yAxis: { type: 'value' },
    series: [{ type: kind, name: y, data: rows.map((r) => Number(r[y] ?? 0)), showSymbol: false }],
  };
  return (
    <div className="panel">
      <h2>Quick chart</h2>
      <div className="builder">
        <label>
          X
          <select value={x} onChange={(e) => setX(e.target.value)}>
            {result.columns.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Y
          <select value={y} onChange={(e) => setY(e.target.value)}>
            {numeric.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select value={kind} onChange={(e) => setKind(e.target.value as 'bar' | 'line')}>
            <option value="bar">Bar</option>
            <option value="line">Line</option>
          </select>
        </label>
      </div>
      <EChart option={option} height={280} label={`${kind} chart of ${y} by ${x}`} />
    </div>
  );
}
