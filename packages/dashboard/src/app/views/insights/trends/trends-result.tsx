// The trends result: one line per series × breakdown value over the buckets, and a table with each line's total.
import { EChart } from '../../../components/echart';
import { DataTable } from '../../../components/data-table';

/** Mirrors @lens/insights' TrendsResult. */
export interface TrendLine {
  label: string;
  event?: string;
  math?: string;
  breakdown: string | null;
  values: (number | null)[];
  total: number | null;
}
export interface TrendsResult {
  interval: string;
  timezone: string;
  buckets: string[];
  series: TrendLine[];
  formula?: { expression: string; series: TrendLine[] };
}

const name = (l: TrendLine) =>
  [l.label, l.event === '$any' ? 'Any event' : l.event, l.math, l.breakdown]
    .filter((x) => x !== null && x !== undefined)
    .join(' · ');

/** Chart + totals table. */
export function TrendsResultView({ result }: { result: TrendsResult }) {
  // Biggest breakdown values first within each series (the API's order of those lines is not stable).
  const sum = (l: TrendLine) => l.total ?? l.values.reduce<number>((t, v) => t + (v ?? 0), 0);
  const sorted = [...result.series].sort(
    (a, b) =>
      a.label.localeCompare(b.label) || sum(b) - sum(a) || String(a.breakdown).localeCompare(String(b.breakdown)),
  );
  const lines = result.formula ? [...sorted, ...result.formula.series] : sorted;
  const hourly = result.interval === 'hour';
  const option = {
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 56, right: result.formula ? 56 : 16, top: 16, bottom: 56 },
    xAxis: {
      type: 'category',
      data: result.buckets.map((b) => (hourly ? b.slice(5, 16).replace('T', ' ') : b.slice(0, 10))),
    },
    // A formula (a ratio, a difference) is on a scale of its own: on the counts' axis A/B lay flat along zero.
    yAxis: result.formula
      ? [{ type: 'value' }, { type: 'value', name: result.formula.expression, splitLine: { show: false } }]
      : { type: 'value' },
    series: lines.map((l, i) => ({
      type: 'line',
      name: name(l),
      data: l.values,
      showSymbol: result.buckets.length < 40,
      yAxisIndex: i >= sorted.length ? 1 : 0,
    })),
  };
  const rows = lines.map((l) => ({
    series: name(l),
    breakdown: l.breakdown ?? '',
    // The API's total: a count's sum over the range; none for measures that do not add up (DAU, averages,
    // formulas) — summing their buckets gave meaningless figures.
    total: l.total,
    last: l.values[l.values.length - 1] ?? null,
  }));
  return (
    <>
      <div className="panel">
        <h2>Trend</h2>
        <EChart
          option={option}
          label={`Line chart of ${lines.length} series over ${result.buckets.length} ${result.interval}s${result.formula ? `, ${result.formula.expression} on the right-hand axis` : ''}`}
        />
      </div>
      <div className="panel">
        <h2>Totals</h2>
        <DataTable
          label="Trend totals"
          rows={rows}
          columns={[
            { key: 'series', header: 'Series' },
            { key: 'breakdown', header: 'Breakdown' },
            { key: 'total', header: 'Total over the range', numeric: true },
            { key: 'last', header: 'Last bucket', numeric: true },
          ]}
        />
      </div>
    </>
  );
}
