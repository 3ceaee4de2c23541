// Arrow values as text for the result grid.
import { DataType, type Field } from 'apache-arrow';

export function formatValue(value: unknown, field: Field): string {
  if (value === null || value === undefined) return '';
  if (DataType.isDate(field.type)) return new Date(Number(value)).toISOString().slice(0, 10);
  if (DataType.isTimestamp(field.type))
    return new Date(Number(value)).toISOString().replace('T', ' ').replace('.000Z', '');
  if (typeof value === 'bigint') return value.toString();
  if (DataType.isDecimal(field.type)) return decimalText(value, field.type.scale);
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 1e6) / 1e6);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Comparable form for sorting: numbers and bigints numerically, everything else as text; nulls last. */
export function sortKey(value: unknown): number | string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  return String(value);
}

/** Arrow decimals arrive as their unscaled integer (e.g. DuckDB's HUGEINT sums); place the point by `scale`. */
export function decimalText(value: unknown, scale: number): string {
  const digits = String(value);
  if (!/^-?\d+$/.test(digits) || scale <= 0) return digits;
  const negative = digits.startsWith('-');
  const abs = (negative ? digits.slice(1) : digits).padStart(scale + 1, '0');
  const text = `${abs.slice(0, -scale)}.${abs.slice(-scale)}`.replace(/\.?0+$/, '');
  return negative ? `-${text}` : text;
}
