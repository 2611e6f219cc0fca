import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

/**
 * Apache ECharts, imported piece by piece (bar and line charts, grid, legend, tooltip, canvas) so the bundle
 * carries what the console draws and not the whole library; loaded on first use as a chunk of its own, so
 * pages without charts do not parse it.
 */
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export { echarts };
