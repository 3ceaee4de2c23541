// What Sheaf does to any Vega-Lite spec before drawing it (no Vega-Lite needed, so pages that only draw stay light):
// the source rows become its data, and options a spec must not set are dropped.
import { DATA_NAME, type VlSpec } from './spec';

/**
 * The spec without `usermeta.embedOptions`: vega-embed would let those override the options Sheaf draws with
 * (turning eval back on, replacing Vega's global functions for every chart in the tab, showing export menus).
 */
export function withoutEmbedOptions(spec: VlSpec): VlSpec {
  const meta = spec.usermeta;
  if (typeof meta !== 'object' || meta === null || !('embedOptions' in meta)) return spec;
  const { embedOptions: _dropped, ...rest } = meta as Record<string, unknown>;
  return { ...spec, usermeta: rest };
}

/** Whether the spec brings its own rows (spec mode): then it is drawn as written, whatever the source holds. */
export function hasInlineData(spec: VlSpec): boolean {
  const data = spec.data as { name?: unknown; values?: unknown } | undefined;
  return !!data && typeof data === 'object' && 'values' in data && !('name' in data);
}

/** The spec with the source rows as its top-level data (kept under the name the spec reads). */
export function withData(spec: VlSpec, values: object[]): VlSpec {
  return hasInlineData(spec) ? spec : { ...spec, data: { name: DATA_NAME, values } };
}

/** The first `url` under any `data` in the spec (top level, layers, concatenations), else null. */
export function findDataUrl(node: unknown): string | null {
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = findDataUrl(n);
      if (found !== null) return found;
    }
    return null;
  }
  if (typeof node !== 'object' || node === null) return null;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'data' || key === 'from') && typeof value === 'object' && value && 'url' in value)
      return String((value as { url: unknown }).url);
    if (key === 'url' && typeof value === 'string') return value;
    const found = findDataUrl(value);
    if (found !== null) return found;
  }
  return null;
}
