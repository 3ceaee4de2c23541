// A chart spec sized to its dashboard card: as wide as the card and, where Vega-Lite can, exactly as tall as the
// room the card leaves (axes and title included), so cards of one height line up. Shared with the published page.
import type { VlSpec } from '$cells/chart/spec';

/** Keys of specs made of several views; Vega-Lite cannot fit those to a size, so they keep their own. */
const COMPOSITE = ['facet', 'repeat', 'concat', 'hconcat', 'vconcat'];

export function fitChart(spec: VlSpec, height: number): VlSpec {
  const encoding = spec.encoding as Record<string, unknown> | undefined;
  const faceted =
    COMPOSITE.some((k) => k in spec) || !!(encoding?.column || encoding?.row || encoding?.facet);
  if (faceted || height < 40) return spec;
  return {
    ...spec,
    width: spec.width === undefined ? 'container' : spec.width,
    height: Math.floor(height),
    autosize: { type: 'fit', contains: 'padding' }
  };
}
