import { useEffect, useRef, useState } from 'preact/hooks';
import type { ECharts, EChartsCoreOption } from 'echarts/core';

/**
 * A chart drawn by Apache ECharts (loaded on first use: echarts-setup.ts). Everything is drawn on a canvas:
 * axis labels and series names from the logs are painted as text, never parsed. Tooltips too:
 * `renderMode: 'richText'` draws them on the canvas, where the default HTML tooltip would put strings into
 * the page's DOM.
 */
export type ChartOption = EChartsCoreOption;

export interface ChartClick {
  dataIndex: number;
  seriesName?: string;
  name?: string;
}

const withDefaults = (option: ChartOption): ChartOption => ({ animation: false, tooltip: { renderMode: 'richText' }, ...option });

export function EChart({ option, onClick, class: className = 'chart', label }: { option: ChartOption; onClick?: (click: ChartClick) => void; class?: string; label: string }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | undefined>(undefined);
  const latest = useRef({ option, onClick });
  latest.current = { option, onClick };
  const [failed, setFailed] = useState('');
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let gone = false;
    const resize = () => chart.current?.resize();
    import('./echarts-setup').then(
      ({ echarts }) => {
        // The page may have moved on while the chunk loaded (a fast click or key on a loaded machine).
        if (gone || !element.current) return;
        const instance = echarts.init(element.current, undefined, { renderer: 'canvas' });
        chart.current = instance;
        instance.on('click', (params) => latest.current.onClick?.(params as unknown as ChartClick));
        instance.setOption(withDefaults(latest.current.option), true);
        addEventListener('resize', resize);
        setReady(true);
      },
      (error: unknown) => setFailed(`The chart could not load: ${String(error)}`),
    );
    return () => {
      gone = true;
      removeEventListener('resize', resize);
      chart.current?.dispose();
      chart.current = undefined;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(withDefaults(option), true);
  }, [option]);
  // The status is a sibling: the chart's element belongs to ECharts once drawn.
  return (
    <>
      {failed ? <span class="state error">{failed}</span> : ready ? null : <span class="state" role="status">Loading chart…</span>}
      <div ref={element} class={className} role="img" aria-label={label} data-chart={label} />
    </>
  );
}

/** A stacked success/failure bar chart over time. */
export function volumeOption(times: string[], success: number[], failure: number[]): ChartOption {
  return {
    grid: { left: 48, right: 16, top: 28, bottom: 40 },
    legend: { data: ['Success', 'Failure'], top: 0 },
    tooltip: { renderMode: 'richText', trigger: 'axis' },
    xAxis: { type: 'category', data: times.map((t) => t.slice(5, 16).replace('T', ' ')) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: 'Success', type: 'bar', stack: 'calls', data: success, itemStyle: { color: '#1d8102' } },
      { name: 'Failure', type: 'bar', stack: 'calls', data: failure, itemStyle: { color: '#d13212' } },
    ],
  };
}

/** A 7-day sparkline. */
export function sparklineOption(values: number[]): ChartOption {
  return {
    grid: { left: 2, right: 2, top: 2, bottom: 2 },
    xAxis: { type: 'category', show: false, data: values.map((_, i) => i) },
    yAxis: { type: 'value', show: false, min: 0 },
    tooltip: { show: false },
    series: [{ type: 'line', data: values, symbol: 'none', lineStyle: { width: 1.5, color: '#0972d3' }, areaStyle: { color: '#d1e4fa' } }],
  };
}
