// The ECharts host element: inits a chart on mount, applies option changes, follows its box's size,
// disposes on unmount. Loaded lazily through <EChart>.
import { useEffect, useRef } from 'react';
import { echarts, type ChartOption } from './echarts-core';

/** Renders `option` into a div of the given height. */
export default function EChartCanvas({
  option,
  height,
  label,
}: {
  option: ChartOption;
  height: number;
  label: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | null>(null);
  useEffect(() => {
    if (!host.current) return;
    const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches;
    const el = host.current;
    const instance = echarts.init(el, dark ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = instance;
    // `data-rendered` marks a chart whose animation has finished (screenshots and tests wait for it).
    instance.on('finished', () => {
      el.dataset['rendered'] = 'true';
    });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(host.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    if (host.current) host.current.dataset['rendered'] = 'false';
    chart.current?.setOption({ backgroundColor: 'transparent', animationDuration: 300, ...option }, true);
  }, [option]);
  return <div ref={host} className="echart" style={{ height }} role="img" aria-label={label} />;
}
