// Chart cell: a Vega-Lite chart of an earlier SQL cell's result, built from pickers or written as a spec.
import type { CellKind } from '../types';
import { ChartConfigSchema, CrossFilterSchema, readChartConfig, type ChartConfig } from './config';

export const chartKind: CellKind<ChartConfig> = {
  kind: 'chart',
  label: 'Chart',
  configSchema: ChartConfigSchema,
  language: 'json',
  runnable: false,
  named: false,
  defaults: () => ({ source: '', config: { mode: 'builder', source: '', mark: 'bar' } }),
  dependsOn: (cell) => {
    const source = readChartConfig(cell.config).source;
    return source ? [source] : [];
  },
  followRename: ({ config }, from, to) => {
    if (config.get('source') === from) config.set('source', to);
    // The input a click sets keeps being the same cell under its new name.
    const cross = CrossFilterSchema.safeParse(config.get('crossFilter'));
    if (cross.success && cross.data.input === from) config.set('crossFilter', { ...cross.data, input: to });
  },
  labelOf: (cell) => {
    const config = readChartConfig(cell.config);
    return config.title || (config.source ? `Chart of ${config.source}` : 'Chart');
  },
  describe: (cell) => {
    const config = readChartConfig(cell.config);
    return `Chart (${config.mark}) of ${config.source || '(no source yet)'}`;
  },
  dashboardViews: ['chart']
};

/** Whether `cell` is a chart cell. */
export const isChartCell = (cell: { kind: string }): boolean => cell.kind === chartKind.kind;
