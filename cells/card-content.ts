// What a dashboard's table and number cards show of a result, as text: the first rows of a table, a KPI's value.
// Shared so that the server (publishing, refreshes: server/publish/cards.ts) and a viewer's browser (recomputing
// cards for their filters: src/lib/dashboard/) format the same result the same way.
import { DataType, type Field, type Table } from 'apache-arrow';
import type { VlSpec } from './chart/spec';
import { displayValue } from './display-value';
import type { Values } from './url-values';
import { decimalText, formatValue } from './format-value';

/** Rows a table card shows. */
export const TABLE_ROWS = 100;

const NUMERIC = (f: Field) =>
  DataType.isInt(f.type) || DataType.isFloat(f.type) || DataType.isDecimal(f.type);

/** A KPI's value as people read numbers: grouped thousands, at most two decimals. */
export function bigNumberText(value: unknown, field: Field): string {
  if (value === null || value === undefined) return '—';
  if (!NUMERIC(field)) return formatValue(value, field);
  const n = DataType.isDecimal(field.type)
    ? Number(decimalText(value, field.type.scale))
    : Number(value as number | bigint);
  if (typeof value === 'bigint' && !Number.isSafeInteger(n)) return value.toString();
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** A table card's columns and rows as text, from (at most TABLE_ROWS of) its result's first rows. */
export function tableText(t: Table): { columns: string[]; rows: string[][] } {
  const fields = t.schema.fields;
  const rows: string[][] = [];
  const n = Math.min(t.numRows, TABLE_ROWS);
  for (let r = 0; r < n; r++) rows.push(fields.map((f, c) => displayValue(t.getChildAt(c)?.get(r), f)));
  return { columns: fields.map((f) => f.name), rows };
}

/**
 * A number card from its result's first row (`first`) and row count: the first numeric column's value, named by
 * that column; `name` (the result's) labels a card with nothing to show.
 */
export function numberText(
  first: Table,
  total: number,
  name: string
): { label: string; value: string; caption: string } {
  const fields = first.schema.fields;
  const at = Math.max(0, fields.findIndex(NUMERIC));
  const field = fields[at];
  if (!field || first.numRows === 0)
    return { label: name, value: '—', caption: 'The query returned no rows.' };
  return {
    label: field.name,
    value: bigNumberText(first.getChildAt(at)?.get(0), field),
    caption: total > 1 ? `First of ${total.toLocaleString('en-US')} rows` : ''
  };
}

/**
 * A card recomputed for a viewer's filter values: in their browser (src/lib/dashboard/recompute.ts), or on the
 * server for the page's first paint (server/publish/first-paint.ts), which also draws a chart's `svg` to show
 * until the browser draws it.
 */
export type LiveContent =
  | { view: 'chart'; spec: VlSpec; rows: Record<string, unknown>[]; note: string; svg?: string }
  | { view: 'table'; columns: string[]; rows: string[][]; total: number }
  | { view: 'number'; label: string; value: string; caption: string }
  | { view: 'text'; html: string };

/** Cards the server computed for the page's first paint, for `values` (the URL's), by cell id. */
export type RenderedCards = { values: Values; cards: Record<string, LiveContent> };
