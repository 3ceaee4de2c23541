// A dashboard chart as a PNG for email (mail clients do not show SVG): the snapshot's own server-drawn SVG,
// rasterised by resvg at twice its size for sharp screens. resvg runs on libuv's thread pool (renderAsync), so a
// big chart does not hold up the server's requests; it fetches nothing (Vega's SVG is self-contained and cleaned).
import { renderAsync } from '@resvg/resvg-js';

/** Drawings past this are left out of mail (a link to the dashboard stands in). */
export const SVG_MAX_CHARS = 2_000_000;
/** Longest side of a PNG, in pixels. */
const MAX_SIDE = 2400;
export const PNG_SCALE = 2;

export type ChartPng = { png: Buffer; width: number; height: number };

/** The size the SVG says it has (Vega writes both on its root). */
export function svgSize(svg: string): { width: number; height: number } | null {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const w = Number(/\swidth="([\d.]+)"/.exec(root)?.[1]);
  const h = Number(/\sheight="([\d.]+)"/.exec(root)?.[1]);
  return w > 0 && h > 0 ? { width: w, height: h } : null;
}

/** The PNG, with the size to show it at (CSS pixels); null when the drawing cannot go into mail. */
export async function chartPng(svg: string): Promise<ChartPng | null> {
  const size = svgSize(svg);
  if (!size || svg.length > SVG_MAX_CHARS) return null;
  const zoom = Math.min(PNG_SCALE, MAX_SIDE / size.width, MAX_SIDE / size.height);
  const image = await renderAsync(svg, {
    fitTo: { mode: 'zoom', value: zoom },
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    logLevel: 'off'
  });
  return { png: image.asPng(), width: Math.round(size.width), height: Math.round(size.height) };
}
