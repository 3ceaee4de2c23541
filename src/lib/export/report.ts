// The notebook as one static HTML file: text as rendered markdown, SQL with the first rows of its result,
// charts as inline SVG. No script and no external files (only images a text cell links to by URL), so it
// opens offline and can be mailed around.
import type { Table } from 'apache-arrow';
import { displayValue } from '$cells/display-value';

export const REPORT_ROWS = 100;

export type ReportCell =
  | { kind: 'text'; html: string }
  | { kind: 'sql'; name: string; sql: string; table: Table | null; rows: number | null }
  | { kind: 'chart'; svg: string | null; source: string }
  | { kind: 'input'; name: string; label: string; value: string };

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function tableHtml(table: Table, total: number): string {
  const fields = table.schema.fields;
  const shown = Math.min(table.numRows, REPORT_ROWS);
  const head = fields.map((f) => `<th>${escape(f.name)}</th>`).join('');
  const body: string[] = [];
  for (let r = 0; r < shown; r++) {
    const row = table.get(r);
    const cells = fields.map((f) => `<td>${escape(displayValue(row?.[f.name], f))}</td>`);
    body.push(`<tr>${cells.join('')}</tr>`);
  }
  const note =
    total > shown
      ? `<p class="note">First ${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows.</p>`
      : `<p class="note">${total.toLocaleString('en-US')} ${total === 1 ? 'row' : 'rows'}.</p>`;
  return `<div class="grid"><table><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table></div>${note}`;
}

function cellHtml(cell: ReportCell): string {
  switch (cell.kind) {
    case 'text':
      return `<section class="text">${cell.html}</section>`; // already sanitised by renderMarkdown
    case 'sql': {
      const result = cell.table
        ? tableHtml(cell.table, cell.rows ?? cell.table.numRows)
        : '<p class="note">Not run.</p>';
      return `<section class="sql"><h3><code>${escape(cell.name)}</code></h3><pre><code>${escape(cell.sql)}</code></pre>${result}</section>`;
    }
    case 'input':
      return `<section class="input"><h3>${escape(cell.label)}</h3><p><code>${escape(cell.name)}</code> = ${escape(cell.value)}</p></section>`;
    case 'chart':
      return `<section class="chart">${cell.svg ?? `<p class="note">Chart of ${escape(cell.source || 'nothing yet')}: not drawn.</p>`}</section>`;
  }
}

export function buildReport(title: string, cells: ReportCell[], generatedAt = new Date()): string {
  const name = title.trim() || 'Untitled notebook';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data: https:">
<title>${escape(name)}</title>
<style>
  body { font: 15px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1c1f1c; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
  header { border-bottom: 1px solid #e3e7e3; margin-bottom: 1.5rem; }
  header p { color: #5b635b; font-size: 0.85rem; }
  section { margin: 1.5rem 0; }
  h3 { font-size: 0.85rem; color: #5b635b; margin: 0 0 0.3rem; }
  pre { background: #f6f7f6; border-radius: 6px; padding: 0.6rem 0.75rem; overflow-x: auto; font-size: 0.85rem; }
  code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
  .grid { overflow-x: auto; }
  table { border-collapse: collapse; font-size: 0.85rem; }
  th, td { border: 1px solid #e3e7e3; padding: 0.2rem 0.5rem; text-align: left; white-space: nowrap; }
  th { background: #f6f7f6; }
  .note { color: #5b635b; font-size: 0.8rem; }
  .chart svg { max-width: 100%; height: auto; }
  img { max-width: 100%; }
</style>
</head>
<body>
<header><h1>${escape(name)}</h1><p>Exported from Sheaf on ${escape(generatedAt.toISOString().slice(0, 16).replace('T', ' '))} UTC.</p></header>
${cells.map(cellHtml).join('\n')}
</body>
</html>
`;
}
