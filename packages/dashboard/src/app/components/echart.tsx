// <EChart>: the chart element views use. The ECharts chunk is fetched on first use only, so views without
// charts (and the Realtime first paint) never download it.
import { lazy, Suspense } from 'react';
import type { ChartOption } from './echarts-core';

const EChartCanvas = lazy(() => import('./echart-canvas'));

/** An ECharts chart; `label` describes it for screen readers (charts are canvases). */
export function EChart({ option, height = 320, label }: { option: ChartOption; height?: number; label: string }) {
  return (
    <Suspense
      fallback={
        <div className="echart state-loading" style={{ height }} role="status">
          Loading chart…
        </div>
      }
    >
      <EChartCanvas option={option} height={height} label={label} />
    </Suspense>
  );
}
