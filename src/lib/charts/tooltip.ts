// Tooltip text for charts. vega-tooltip's own formatter turns an `image` key into <img src=…>, which a spec can
// point at any server with the chart's rows in the URL; this one shows text only (escaped by valueToHtml).
type ToHtml = (value: unknown) => string;

const text = (v: unknown, depth: number): string =>
  typeof v === 'string'
    ? v
    : (JSON.stringify(
        v,
        (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x),
        depth > 0 ? 0 : undefined
      ) ?? String(v));

export function formatTooltip(value: unknown, toHtml: ToHtml, maxDepth: number): string {
  if (Array.isArray(value)) return `[${value.map((v) => toHtml(text(v, maxDepth))).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const { title, image: _image, ...rest } = value as Record<string, unknown>;
    let html = title ? `<h2>${toHtml(text(title, maxDepth))}</h2>` : '';
    const rows = Object.entries(rest)
      .filter(([, v]) => v !== undefined)
      .map(
        ([k, v]) =>
          `<tr><td class="key">${toHtml(k)}</td><td class="value">${toHtml(text(v, maxDepth))}</td></tr>`
      );
    if (rows.length) html += `<table>${rows.join('')}</table>`;
    return html;
  }
  return toHtml(text(value, maxDepth));
}
