// A published dashboard as email-safe HTML: one 600-pixel column of tables with inline styles (mail clients drop
// <style>, flex and grid), cards in the dashboard's reading order. Charts are <img> of inline PNG attachments
// (cid:), numbers and tables are the snapshot's own text (cells/card-content.ts formatted them), text cards are the
// snapshot's sanitised HTML. Filters are left out: a mail shows the published values.
import type { PublishedDashboard, PublishedItem } from '../../cells/published';

/** Rows of a table card a mail shows; the link has the rest. */
export const MAIL_TABLE_ROWS = 20;
const WIDTH = 600;
const INNER = WIDTH - 40;

export const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export type InlineChart = { cid: string; width: number; height: number };

export type DashboardMail = {
  dashboard: PublishedDashboard;
  link: string;
  unsubscribe: string | null;
  /** Charts that could be drawn, by cell id. */
  charts: Map<string, InlineChart>;
};

const FONT = 'font-family:Helvetica,Arial,sans-serif;color:#1f2328;';
const MUTED = 'color:#656d76;font-size:13px;';

/** Cards top to bottom, then left to right, as a phone shows the grid. */
export const readingOrder = (items: PublishedItem[]) =>
  [...items].filter((i) => i.view !== 'input').sort((a, b) => a.y - b.y || a.x - b.x);

function card(item: PublishedItem, m: DashboardMail): string {
  const title = item.view === 'text' ? '' : `<div style="${MUTED}margin-bottom:6px">${esc(item.name)}</div>`;
  if (item.error) return `${title}<div style="${MUTED}">${esc(item.error)}</div>`;
  switch (item.view) {
    case 'text':
      return `<div style="font-size:15px;line-height:1.5">${item.html}</div>`;
    case 'number':
      return (
        `<div style="${MUTED}">${esc(item.label)}</div>` +
        `<div style="font-size:34px;font-weight:bold;line-height:1.2" data-number="${esc(item.name)}">${esc(item.value)}</div>` +
        (item.caption ? `<div style="${MUTED}">${esc(item.caption)}</div>` : '')
      );
    case 'table': {
      const th = item.columns
        .map(
          (c) =>
            `<th align="left" style="padding:4px 8px;border-bottom:1px solid #d0d7de;font-size:13px">${esc(c)}</th>`
        )
        .join('');
      const rows = item.rows
        .slice(0, MAIL_TABLE_ROWS)
        .map(
          (r) =>
            `<tr>${r.map((v) => `<td style="padding:4px 8px;border-bottom:1px solid #eaeef2;font-size:13px">${esc(v)}</td>`).join('')}</tr>`
        );
      const more =
        item.total > rows.length
          ? `<div style="${MUTED}margin-top:4px">${rows.length} of ${item.total.toLocaleString('en-US')} rows</div>`
          : '';
      return `${title}<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%"><tr>${th}</tr>${rows.join('')}</table>${more}`;
    }
    case 'chart': {
      const chart = m.charts.get(item.cellId);
      if (!chart)
        return `${title}<div style="${MUTED}">This chart is on <a href="${esc(m.link)}">the dashboard</a>.</div>`;
      const scale = Math.min(1, INNER / chart.width);
      const w = Math.round(chart.width * scale);
      const h = Math.round(chart.height * scale);
      const note = item.note ? `<div style="${MUTED}">${esc(item.note)}</div>` : '';
      return `${title}<img src="cid:${chart.cid}" width="${w}" height="${h}" alt="${esc(`Chart of ${item.name}`)}" style="display:block;border:0;max-width:100%;height:auto">${note}`;
    }
    default:
      return '';
  }
}

export function dashboardEmailHtml(m: DashboardMail): string {
  const d = m.dashboard;
  const cards = readingOrder(d.items)
    .map((i) => `<tr><td style="padding:12px 20px;border-top:1px solid #eaeef2">${card(i, m)}</td></tr>`)
    .join('');
  const built = new Date(d.builtAt).toISOString().slice(0, 16).replace('T', ' ');
  const unsubscribe = m.unsubscribe
    ? ` · <a href="${esc(m.unsubscribe)}" style="color:#656d76">Unsubscribe</a>`
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(d.title)}</title></head>
<body style="margin:0;padding:0;background:#f6f8fa">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f6f8fa"><tr><td align="center" style="padding:16px 0">
<table role="presentation" width="${WIDTH}" cellpadding="0" cellspacing="0" style="${FONT}width:${WIDTH}px;max-width:100%;background:#ffffff;border:1px solid #d0d7de">
<tr><td style="padding:20px 20px 8px"><div style="font-size:22px;font-weight:bold">${esc(d.title)}</div>
${d.description ? `<div style="${MUTED}margin-top:4px">${esc(d.description)}</div>` : ''}
<div style="${MUTED}margin-top:4px">Data as of ${built} UTC · <a href="${esc(m.link)}" style="color:#0969da">Open the live dashboard</a></div></td></tr>
${cards}
<tr><td style="padding:16px 20px;${MUTED}border-top:1px solid #eaeef2">Sent by Sheaf${unsubscribe}</td></tr>
</table></td></tr></table></body></html>`;
}

/** The plain-text part: the numbers and the link. */
export function dashboardEmailText(m: DashboardMail): string {
  const lines = [m.dashboard.title, ''];
  for (const i of readingOrder(m.dashboard.items)) {
    if (i.error || i.view === 'text') continue;
    if (i.view === 'number') lines.push(`${i.label}: ${i.value}`);
    if (i.view === 'table') lines.push(`${i.name}: ${i.total.toLocaleString('en-US')} rows`);
    if (i.view === 'chart') lines.push(`Chart of ${i.name}`);
  }
  lines.push('', `Open the dashboard: ${m.link}`);
  if (m.unsubscribe) lines.push(`Unsubscribe: ${m.unsubscribe}`);
  return lines.join('\n');
}
