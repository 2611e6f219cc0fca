import { useEffect, useRef } from 'preact/hooks';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

/**
 * Apache ECharts, imported piece by piece (bar and line charts, grid, legend, tooltip, canvas) so the bundle
 * carries what the console draws and not the whole library. Everything is drawn on a canvas: axis labels and
 * series names from the logs are painted as text, never parsed. Tooltips too: `renderMode: 'richText'` draws
 * them on the canvas, where the default HTML tooltip would put strings into the page's DOM.
 */
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

export interface ChartClick {
  dataIndex: number;
  seriesName?: string;
  name?: string;
}

export function EChart({ option, onClick, class: className = 'chart', label }: { option: ChartOption; onClick?: (click: ChartClick) => void; class?: string; label: string }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | undefined>(undefined);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;
  useEffect(() => {
    const instance = echarts.init(element.current as HTMLDivElement, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (params) => clickRef.current?.(params as unknown as ChartClick));
    const resize = () => instance.resize();
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      instance.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ animation: false, tooltip: { renderMode: 'richText' }, ...option }, true);
  }, [option]);
  return <div ref={element} class={className} role="img" aria-label={label} data-chart={label} />;
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
