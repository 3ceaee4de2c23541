// Values and types as people read them in result tables, dashboards and reports: numbers with thousands
// separators (370,248), decimal types as decimal(38,0). Exports (CSV) keep formatValue's plain text instead.
import { DataType, type Field } from 'apache-arrow';
import { formatValue } from './format-value';

/** Columns whose numbers are labels, not amounts: "2,001" would read wrong for a year or an id. */
const LABEL_NUMBER = /(^|[_\s-])(year|yr|id|zip|zipcode|code|number|no)$|^(id|year)$/i;

/** `digits` (an optional sign, digits, an optional fraction) with its whole part grouped by thousands. */
function grouped(digits: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(digits);
  if (!m) return digits;
  return `${m[1]}${m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}`;
}

export function displayValue(value: unknown, field: Field): string {
  const text = formatValue(value, field);
  if (value === null || value === undefined || LABEL_NUMBER.test(field.name)) return text;
  const numeric = typeof value === 'number' || typeof value === 'bigint' || DataType.isDecimal(field.type);
  return numeric && !DataType.isDate(field.type) && !DataType.isTimestamp(field.type) ? grouped(text) : text;
}

const INT_NAMES: Record<number, string> = { 8: 'tinyint', 16: 'smallint', 32: 'integer', 64: 'bigint' };

/** A column type in SQL words (Arrow's own names read like "Decimal[38e0]" or "Timestamp<MICROSECOND>"). */
export function typeLabel(type: DataType): string {
  if (DataType.isDecimal(type)) return `decimal(${type.precision},${type.scale})`;
  if (DataType.isInt(type)) return `${type.isSigned ? '' : 'u'}${INT_NAMES[type.bitWidth] ?? 'integer'}`;
  if (DataType.isFloat(type))
    return type.precision === 2 ? 'double' : type.precision === 1 ? 'float' : 'half';
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'text';
  if (DataType.isBool(type)) return 'boolean';
  if (DataType.isDate(type)) return 'date';
  if (DataType.isTimestamp(type)) return type.timezone ? 'timestamptz' : 'timestamp';
  if (DataType.isTime(type)) return 'time';
  if (DataType.isInterval(type) || DataType.isDuration(type)) return 'interval';
  if (DataType.isBinary(type) || DataType.isLargeBinary(type)) return 'blob';
  if (DataType.isList(type) || DataType.isFixedSizeList(type)) return 'list';
  if (DataType.isStruct(type)) return 'struct';
  if (DataType.isMap(type)) return 'map';
  if (DataType.isNull(type)) return 'null';
  return String(type).toLowerCase();
}
