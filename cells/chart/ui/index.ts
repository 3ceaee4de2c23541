// The chart cell in the browser: settings (or its Vega-Lite spec) and the chart of a result above it.
import type { CellKindUi } from '../../ui-types';
import ChartCell from './ChartCell.svelte';

export const ui: CellKindUi = {
  kind: 'chart',
  body: ChartCell,
  // Not shown today: the spec editor opens holding the builder's chart.
  placeholder: 'Vega-Lite JSON: {"mark": "bar", "encoding": {…}}'
};
