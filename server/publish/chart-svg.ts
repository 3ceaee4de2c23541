// Charts drawn on the server for a dashboard's first paint: Vega-Lite compiled, then Vega's headless view writes
// SVG. Same rules as in the browser: expressions run in Vega's interpreter (a spec is user input; no code is
// generated from it here either), the loader refuses every URL (a spec must not make the server fetch anything),
// and the SVG is cleaned before it reaches a page.
import * as vega from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { compile, type TopLevelSpec } from 'vega-lite';
import { withData, withoutEmbedOptions } from '../../cells/chart/validate';
import type { VlSpec } from '../../cells/chart/spec';
import { CHART_THEME } from '../../cells/chart/theme';
import { cleanSvg } from './sanitize';

function refusingLoader() {
  const loader = vega.loader();
  loader.sanitize = async (uri: string, options?: { context?: string }) => {
    if (options?.context === 'href') return { href: '' };
    throw new Error(`Charts may not load "${uri}": they draw only the source cell's rows.`);
  };
  return loader;
}

/** The spec at a fixed size: on the server there is no container to fill. Faceted specs keep their own widths. */
export function sized(spec: VlSpec, width: number, height: number): VlSpec {
  const out: VlSpec = { ...spec, autosize: { type: 'fit', contains: 'padding' } };
  if (spec.width === 'container' || spec.width === undefined) out.width = width;
  if (spec.height === 'container' || typeof spec.height === 'number') out.height = height;
  if ('encoding' in spec && (spec.encoding as Record<string, unknown> | undefined)?.column) {
    delete out.autosize;
    out.height = spec.height;
  }
  return out;
}

export async function chartSvg(spec: VlSpec, rows: object[]): Promise<string> {
  const full = withData(withoutEmbedOptions(spec), rows) as unknown as TopLevelSpec;
  const vg = compile(full, { config: CHART_THEME as never }).spec;
  const view = new vega.View(vega.parse(vg, undefined, { ast: true }), {
    renderer: 'none',
    loader: refusingLoader(),
    expr: expressionInterpreter,
    logLevel: vega.Error
  } as ConstructorParameters<typeof vega.View>[1]);
  try {
    return cleanSvg(await view.toSVG());
  } finally {
    view.finalize();
  }
}
