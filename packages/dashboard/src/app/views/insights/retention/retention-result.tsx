// The retention result: a cohort × period heatmap of return rates (ECharts), the average row, and the table.
import { DataTable } from '../../../components/data-table';
import { EChart } from '../../../components/echart';
import { formatPercent } from '../../../components/format';

/** Mirrors @lens/insights' RetentionResult. */
export interface RetentionCohort {
  cohort: string;
  size: number;
  values: (number | null)[];
  rates: (number | null)[];
}
export interface RetentionResult {
  period: string;
  mode: string;
  cohorts: RetentionCohort[];
  average: (number | null)[];
}

/** Heatmap + table. */
export function RetentionResultView({ result }: { result: RetentionResult }) {
  const periods = result.average.map((_, i) => `${result.period} ${i}`);
  const cohorts = result.cohorts.map((c) => `${c.cohort.slice(0, 10)} (${c.size})`);
  const cells = result.cohorts.flatMap((c, y) =>
    c.rates.map((r, x) => [x, y, r === null ? '-' : Math.round(r * 1000) / 10]),
  );
  const option = {
    tooltip: { position: 'top' },
    grid: { left: 130, right: 16, top: 16, bottom: 72 },
    xAxis: { type: 'category', data: periods, splitArea: { show: true } },
    yAxis: { type: 'category', data: cohorts, inverse: true, splitArea: { show: true } },
    visualMap: {
      min: 0,
      max: 100,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      text: ['100%', '0%'],
    },
    series: [
      {
        type: 'heatmap',
        data: cells,
        label: {
          show: periods.length <= 12,
          formatter: (p: { value: unknown[] }) => (p.value[2] === '-' ? '' : `${String(p.value[2])}%`),
        },
      },
    ],
  };
  const rows = result.cohorts.map((c) => ({
    cohort: c.cohort.slice(0, 10),
    size: c.size,
    ...Object.fromEntries(c.rates.map((r, i) => [`p${i}`, r === null ? '—' : formatPercent(r)])),
  }));
  const average = {
    cohort: 'Average',
    size: result.cohorts.reduce((n, c) => n + c.size, 0),
    ...Object.fromEntries(result.average.map((r, i) => [`p${i}`, r === null ? '—' : formatPercent(r)])),
  };
  return (
    <>
      <div className="panel">
        <h2>Cohorts</h2>
        <EChart
          option={option}
          height={Math.max(240, 40 + cohorts.length * 28 + 72)}
          label={`Retention heatmap of ${cohorts.length} cohorts over ${periods.length} periods`}
        />
      </div>
      <div className="panel">
        <h2>Retention table</h2>
        <DataTable<Record<string, unknown>>
          label="Retention cohorts"
          rows={[average, ...rows]}
          columns={[
            { key: 'cohort', header: 'Cohort' },
            { key: 'size', header: 'Persons', numeric: true },
            ...periods.map((p, i) => ({ key: `p${i}`, header: p, numeric: true })),
          ]}
        />
      </div>
    </>
  );
}
