// Spec mode: the user's Vega-Lite JSON, checked before it is drawn. A spec that does not parse or compile
// gives a message and the last good chart stays; a spec that tries to load data from elsewhere is refused.
// Vega-Lite (about 800 KB) is loaded only when a spec is checked: most pages open without spec-mode charts.
import type { VlSpec } from './spec';
import { findDataUrl, withData, withoutEmbedOptions } from './spec-data';

export { withData, withoutEmbedOptions } from './spec-data';

export type SpecCheck = { ok: true; spec: VlSpec } | { ok: false; error: string };

export async function checkSpec(text: string): Promise<SpecCheck> {
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
  const { compile } = await import('vega-lite');
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
