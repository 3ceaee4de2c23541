// Input cell: a named control (text, number, slider, dropdown, multi-select, date, date range, checkbox) whose
// value SQL cells read as a bound parameter, {{name}}. The value lives in the shared config, so co-editors see it.
import type { CellKind } from '../types';
import { InputConfigSchema, readInputConfig, WIDGET_LABELS, type InputConfig } from './config';
import { formatValue, inputValue } from './value';

export const inputKind: CellKind<InputConfig> = {
  kind: 'input',
  label: 'Input',
  configSchema: InputConfigSchema,
  language: 'plain',
  runnable: false,
  named: true,
  defaults: () => ({ source: '', config: InputConfigSchema.parse({}) }),
  dependsOn: (cell) => {
    const config = readInputConfig(cell.config);
    return config.options.from === 'column' && config.options.source ? [config.options.source] : [];
  },
  followRename: ({ config }, from, to) => {
    const options = InputConfigSchema.shape.options.safeParse(config.get('options'));
    if (options.success && options.data.from === 'column' && options.data.source === from)
      config.set('options', { ...options.data, source: to });
  },
  labelOf: (cell) => readInputConfig(cell.config).label || cell.name || 'Input',
  describe: (cell) => {
    const config = readInputConfig(cell.config);
    return `Input "${cell.name}" (${WIDGET_LABELS[config.widget].toLowerCase()}), referenced in SQL as {{${cell.name}}}, value now: ${formatValue(inputValue(config))}`;
  },
  // A filter card: viewers of the published dashboard change it for their own view (cells/interactive.ts).
  dashboardViews: ['input']
};

/** Whether `cell` is an input cell. */
export const isInputCell = (cell: { kind: string }): boolean => cell.kind === inputKind.kind;
