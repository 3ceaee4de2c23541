// Chart cell: a Vega-Lite chart of an earlier SQL cell's result, built from pickers or written as a spec.
import type { CellKind } from '../types';
import { ChartConfigSchema, readChartConfig, type ChartConfig } from './config';

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
  followRename: (config, from, to) => {
    if (config.get('source') === from) config.set('source', to);
  }
};
