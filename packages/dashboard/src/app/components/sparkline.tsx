// A tiny inline SVG sparkline: the Realtime view draws dozens of them, so no chart library (and no
// ECharts download) on the newsroom screen's first paint.

/** A polyline of `values` scaled to the box; the last point is marked. */
export function Sparkline({
  values,
  width = 96,
  height = 24,
  label,
}: {
  values: readonly number[];
  width?: number;
  height?: number;
  label?: string;
}) {
  if (values.length === 0) return <svg width={width} height={height} aria-hidden="true" />;
  const max = Math.max(...values, 1);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`);
  const last = points[points.length - 1]?.split(',') ?? ['0', '0'];
  return (
    <svg
      className="sparkline"
      data-values={values.join(',')}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label ?? `trend: ${values.join(', ')}`}
    >
      <polyline points={points.join(' ')} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
      <circle cx={last[0]} cy={last[1]} r="2" fill="currentColor" />
    </svg>
  );
}
