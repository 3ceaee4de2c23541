// Browser-only: placeholder text and hints per cell kind for the editor. Components come per kind later
// (charts, prompts); SQL and text share the code editor.
import type { CellKindName } from './registry';

export const EDITOR_PLACEHOLDER: Record<CellKindName, string> = {
  sql: 'select … from …   (Shift+Enter to run)',
  chart: 'Vega-Lite JSON: {"mark": "bar", "encoding": {…}}',
  text: 'Write markdown: # heading, **bold**, - lists…',
  prompt:
    'Ask for an analysis: “monthly revenue by region since 2023, as a line chart”   (Shift+Enter to ask)'
};
