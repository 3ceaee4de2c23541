// A result table as CSV (RFC 4180): a header row, fields quoted when they need it, full precision, ISO dates.
import { DataType, type Field, type Table } from 'apache-arrow';
import { csvField as quote } from '$cells/csv-field';
import { decimalText, formatValue } from '$cells/format-value';

function csvValue(value: unknown, field: Field): string {
  if (value === null || value === undefined) return '';
  const t = field.type;
  if (DataType.isDecimal(t)) return decimalText(value, t.scale);
  if (DataType.isDate(t)) return new Date(Number(value)).toISOString().slice(0, 10);
  if (DataType.isTimestamp(t)) return new Date(Number(value)).toISOString().replace('Z', '');
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'bigint') return value.toString();
  const text = formatValue(value, field);
  return DataType.isUtf8(t) || DataType.isLargeUtf8(t) || DataType.isDictionary(t) ? defuse(text) : text;
}

/**
 * Text that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe, the usual guard
 * against CSV injection; numbers are written as they are.
 */
const defuse = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

export function tableToCsv(table: Table): string {
  const fields = table.schema.fields;
  const vectors = fields.map((_f, i) => table.getChildAt(i)!);
  const lines = [fields.map((f) => quote(f.name)).join(',')];
  for (let r = 0; r < table.numRows; r++) {
    lines.push(fields.map((f, c) => quote(csvValue(vectors[c]!.get(r), f))).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
