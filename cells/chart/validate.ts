// Spec mode: the user's Vega-Lite JSON, checked before it is drawn. A spec that does not parse or compile
// gives a message and the last good chart stays; a spec that tries to load data from elsewhere is refused.
import { compile } from 'vega-lite';
import { DATA_NAME, type VlSpec } from './spec';

export type SpecCheck = { ok: true; spec: VlSpec } | { ok: false; error: string };

export function checkSpec(text: string): SpecCheck {
  if (!text.trim())
    return { ok: false, error: 'The spec is empty. Switch back to the builder, or write Vega-Lite JSON.' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `The spec is not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, error: 'The spec must be a JSON object, like {"mark": "bar", "encoding": {…}}.' };
  const spec = parsed as VlSpec;
  const url = findDataUrl(spec);
  if (url !== null)
    return {
      ok: false,
      error: `Charts draw the source cell's result; loading data from a URL ("${url}") is not allowed.`
    };
  try {
    compile(withData(spec, []) as unknown as Parameters<typeof compile>[0]); // compile() is the check
  } catch (e) {
    return {
      ok: false,
      error: `Vega-Lite cannot draw this spec: ${e instanceof Error ? e.message : String(e)}`
    };
  }
  return { ok: true, spec: withoutEmbedOptions(spec) };
}

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

/** The spec with the source rows as its top-level data (kept under the name the spec reads). */
export function withData(spec: VlSpec, values: object[]): VlSpec {
  const data = spec.data as { name?: unknown; values?: unknown } | undefined;
  if (data && typeof data === 'object' && 'values' in data && !('name' in data)) return spec; // inline data
  return { ...spec, data: { name: DATA_NAME, values } };
}

/** The first `url` under any `data` in the spec (top level, layers, concatenations), else null. */
function findDataUrl(node: unknown): string | null {
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
