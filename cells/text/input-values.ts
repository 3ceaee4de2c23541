// Text cells show inputs' values where they say {{name}} (a date range's ends as {{period.start}}, {{period.end}}).
// A value is text, never markup: the markdown is rendered with a placeholder in each reference's place, and the
// value goes in afterwards, HTML-escaped, so `**x**` or `<script>` in a value shows as typed.
import type { ReferenceSpan } from '../rename-references';

const REFERENCE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.(start|end))?\s*\}\}/g;

/** What each input shows, by lower-cased name; a date range's ends under "name.start" and "name.end". */
export type ShownValues = ReadonlyMap<string, string>;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * `render(source)` with each {{name}} of a known input replaced by its value; references to no input stay as
 * written. The placeholder is letters and digits only, which markdown leaves alone wherever it stands.
 */
export function renderWithInputs(
  source: string,
  values: ShownValues,
  render: (md: string) => string
): string {
  if (values.size === 0 || !source.includes('{{')) return render(source);
  const nonce = Math.random().toString(36).slice(2, 10);
  const used: string[] = [];
  const marked = source.replace(REFERENCE, (whole, name: string, field?: string) => {
    const key = field ? `${name.toLowerCase()}.${field}` : name.toLowerCase();
    const value = values.get(key);
    if (value === undefined) return whole;
    used.push(value);
    return `SHEAFINPUT${nonce}X${used.length - 1}X`;
  });
  const html = render(marked);
  return html.replace(new RegExp(`SHEAFINPUT${nonce}X(\\d+)X`, 'g'), (_, i: string) =>
    escapeHtml(used[Number(i)] ?? '')
  );
}

/** The inputs a text names (lower-cased), for whoever copies it elsewhere (a dashboard fork takes them along). */
export function textInputReferences(source: string): string[] {
  return [...source.matchAll(REFERENCE)].map((m) => m[1]!.toLowerCase());
}

/** Where a text names inputs: each {{name}} / {{name.field}} with its offsets. */
export function textReferenceSpans(source: string): ReferenceSpan[] {
  return [...source.matchAll(REFERENCE)].map((m) => ({
    name: m[1]!,
    field: m[2] ?? null,
    start: m.index,
    end: m.index + m[0].length
  }));
}
