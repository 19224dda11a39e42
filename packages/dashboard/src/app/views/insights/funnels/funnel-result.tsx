// The funnel result: steps as bars with conversion, a per-step table (conversion, drop-off, median time),
// time to convert (median, histogram), breakdown rows, and the drop-off persons panel.
import { DataTable } from '../../../components/data-table';
import { EChart } from '../../../components/echart';
import { formatDuration, formatPercent } from '../../../components/format';
import { StatCard } from '../../../components/stat-card';
import { DropOffPersons } from './drop-off-persons';
import type { FunnelDraft } from './funnel-draft';

/** Mirrors @lens/insights' FunnelResult. */
export interface FunnelStep {
  step: number;
  event: string;
  count: number;
  conversionRate: number | null;
  stepConversionRate: number | null;
  dropOff: number;
  medianSecondsFromPrevious: number | null;
  averageSecondsFromPrevious: number | null;
}
export interface FunnelResult {
  order: string;
  windowSeconds: number;
  steps: FunnelStep[];
  breakdown?: { value: string; steps: FunnelStep[] }[];
  timeToConvert: {
    medianSeconds: number | null;
    averageSeconds: number | null;
    histogram: { fromSeconds: number; toSeconds: number; count: number }[];
  };
  persons?: { step: number; outcome: 'dropped' | 'converted'; ids: string[] };
}

const pct = (v: number | null) => (v === null ? '—' : formatPercent(v));

/** Everything a funnel answer shows. */
export function FunnelResultView({ result, query }: { result: FunnelResult; query: FunnelDraft }) {
  const last = result.steps[result.steps.length - 1];
  const bars = {
    tooltip: { trigger: 'axis' },
    grid: { left: 56, right: 16, top: 24, bottom: 56 },
    xAxis: {
      type: 'category',
      data: result.steps.map((s) => `${s.step}. ${s.event}`),
      // Every step named, wrapped onto lines: by default ECharts hid the labels that overlapped, so a phone
      // showed the first step's name only.
      axisLabel: { interval: 0, width: 72, overflow: 'break', lineHeight: 14 },
    },
    yAxis: { type: 'value' },
    series: [
      {
        type: 'bar',
        data: result.steps.map((s) => s.count),
        label: {
          show: true,
          position: 'top',
          formatter: (p: { dataIndex: number }) => pct(result.steps[p.dataIndex]?.conversionRate ?? null),
        },
      },
    ],
  };
  const histogram = {
    tooltip: { trigger: 'axis' },
    grid: { left: 56, right: 16, top: 16, bottom: 40 },
    xAxis: { type: 'category', data: result.timeToConvert.histogram.map((h) => formatDuration(h.fromSeconds)) },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', data: result.timeToConvert.histogram.map((h) => h.count) }],
  };
  const rows = result.steps.map((s) => ({
    ...s,
    conversion: pct(s.conversionRate),
    fromPrevious: pct(s.stepConversionRate),
    median: s.medianSecondsFromPrevious === null ? '—' : formatDuration(s.medianSecondsFromPrevious),
  }));
  return (
    <>
      <div className="stats">
        <StatCard
          label="Entered"
          value={(result.steps[0]?.count ?? 0).toLocaleString('en-US')}
          testId="funnel-entered"
        />
        <StatCard label="Converted" value={(last?.count ?? 0).toLocaleString('en-US')} testId="funnel-converted" />
        <StatCard label="Overall conversion" value={pct(last?.conversionRate ?? null)} testId="funnel-conversion" />
        <StatCard
          label="Median time to convert"
          value={result.timeToConvert.medianSeconds === null ? '—' : formatDuration(result.timeToConvert.medianSeconds)}
        />
      </div>
      <div className="panel">
        <h2>Steps</h2>
        <EChart option={bars} label={`Funnel steps: ${result.steps.map((s) => `${s.event} ${s.count}`).join(', ')}`} />
      </div>
      <div className="panel">
        <h2>Conversion by step</h2>
        <DataTable
          label="Funnel steps"
          rows={rows}
          columns={[
            { key: 'step', header: '#' },
            { key: 'event', header: 'Event' },
            { key: 'count', header: 'Persons', numeric: true },
            { key: 'conversion', header: 'From start', numeric: true },
            { key: 'fromPrevious', header: 'From previous', numeric: true },
            { key: 'dropOff', header: 'Dropped', numeric: true },
            { key: 'median', header: 'Median time', numeric: true },
          ]}
        />
      </div>
      {result.timeToConvert.histogram.length > 0 && (
        <div className="panel">
          <h2>Time to convert</h2>
          <EChart option={histogram} height={220} label="Histogram of time to convert" />
        </div>
      )}
      {result.breakdown && result.breakdown.length > 0 && (
        <div className="panel">
          <h2>Breakdown</h2>
          <DataTable
            label="Funnel breakdown"
            rows={result.breakdown.map((b) => ({
              value: b.value,
              entered: b.steps[0]?.count ?? 0,
              converted: b.steps[b.steps.length - 1]?.count ?? 0,
              conversion: pct(b.steps[b.steps.length - 1]?.conversionRate ?? null),
            }))}
            columns={[
              { key: 'value', header: 'Value' },
              { key: 'entered', header: 'Entered', numeric: true },
              { key: 'converted', header: 'Converted', numeric: true },
              { key: 'conversion', header: 'Conversion', numeric: true },
            ]}
          />
        </div>
      )}
      <DropOffPersons query={query} steps={result.steps} />
    </>
  );
}
