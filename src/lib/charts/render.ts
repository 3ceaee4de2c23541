// Draws a Vega-Lite spec with vega-embed, CSP-safe: expressions run in Vega's interpreter (no eval, no
// `new Function`), the loader refuses every URL, tooltips are text only, and a spec cannot change these options
// (vega-embed lets `usermeta.embedOptions` in a spec override them), so a spec can neither run script nor send
// its rows anywhere.
import type { Result } from 'vega-embed';
import type { Config } from 'vega-lite';
import { CHART_THEME } from '$cells/chart/theme';
import { keepReferencesLocal } from './local-references';
import { formatTooltip } from './tooltip';
import { withoutEmbedOptions } from '$cells/chart/spec-data';
import type { VlSpec } from '$cells/chart/spec';

export type DrawnChart = { view: Result['view']; finalize: () => void };

export async function drawChart(
  el: HTMLElement,
  spec: VlSpec,
  renderer: 'svg' | 'canvas' = 'svg'
): Promise<DrawnChart> {
  const [{ default: embed, vega }, { expressionInterpreter }] = await Promise.all([
    import('vega-embed'),
    import('vega-interpreter')
  ]);
  const loader = vega.loader();
  loader.sanitize = async (uri: string, options?: { context?: string }) => {
    // A link on a mark goes nowhere (throwing here breaks SVG export of marks with href).
    if (options?.context === 'href') return { href: '' };
    throw new Error(`Charts may not load "${uri}": they draw only the source cell's rows.`);
  };
  const stopFixing = keepReferencesLocal(el);
  const drawing = embed(el, withoutEmbedOptions(spec) as Parameters<typeof embed>[1], {
    mode: 'vega-lite',
    renderer,
    actions: false,
    ast: true,
    expr: expressionInterpreter,
    loader,
    config: CHART_THEME as unknown as Config,
    tooltip: { theme: 'light', formatTooltip },
    logLevel: vega.Warn
  });
  const result = await drawing.catch((e: unknown) => {
    stopFixing();
    throw e;
  });
  return {
    view: result.view,
    finalize: () => {
      stopFixing();
      result.finalize();
    }
  };
}
