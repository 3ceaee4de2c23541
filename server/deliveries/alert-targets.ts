// What a dashboard's alerts may watch, read from its published snapshot: per result shown as a number or a table,
// the columns its viewers see, and of those the ones that show numbers (what the alert form offers). A number card
// shows one column of the first row; a table shows all its columns. A result on two cards counts once.
import type { PublishedDashboard } from '../../cells/published';
import { readingOrder } from './email-html';

export type AlertTarget = {
  /** The result's name, as alerts store it. */
  cell: string;
  /** How the dashboard shows it: a number card, a table, or both (the number first). */
  views: ('number' | 'table')[];
  /** Every column the dashboard shows of it: only these may be watched. */
  shown: string[];
  /** Those whose shown values are all numbers (at least one): what the form offers. */
  numeric: string[];
};

/** "1,234,567.5", "-3", "1e6" (as the dashboard formats numbers, grouped with commas); not "", "—" or "north". */
export function looksNumeric(text: string): boolean {
  const t = text
    .trim()
    .replace(
      /^([-+]?\d{1,3}(,\d{3})+)(\.\d+)?$/,
      (_m, int: string, _g, frac?: string) => int.replace(/,/g, '') + (frac ?? '')
    );
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) && Number.isFinite(Number(t));
}

/** The results a dashboard's alerts may watch, in reading order with number cards before tables. */
export function alertTargets(dashboard: PublishedDashboard): AlertTarget[] {
  const byName = new Map<string, AlertTarget & { numbers: Map<string, boolean> }>();
  const cards = readingOrder(dashboard.items);
  for (const view of ['number', 'table'] as const)
    for (const i of cards) {
      if (i.error || i.view !== view) continue;
      const key = i.name.toLowerCase();
      const t = byName.get(key) ?? {
        cell: i.name,
        views: [] as AlertTarget['views'],
        shown: [] as string[],
        numeric: [] as string[],
        numbers: new Map<string, boolean>()
      };
      byName.set(key, t);
      if (!t.views.includes(view)) t.views.push(view);
      // A column is numeric while every value shown of it is (blank cells, nulls, say nothing).
      const seen = (column: string, values: string[]) => {
        if (!t.shown.includes(column)) t.shown.push(column);
        const filled = values.filter((v) => v.trim() !== '');
        const ok = filled.length > 0 && filled.every(looksNumeric);
        t.numbers.set(column, (t.numbers.get(column) ?? ok) && ok);
      };
      if (i.view === 'number') seen(i.label, [i.value]);
      else if (i.view === 'table')
        i.columns.forEach((c, at) =>
          seen(
            c,
            i.rows.map((r) => r[at] ?? '')
          )
        );
    }
  return [...byName.values()].map(({ numbers, ...t }) => ({
    ...t,
    numeric: t.shown.filter((c) => numbers.get(c))
  }));
}
