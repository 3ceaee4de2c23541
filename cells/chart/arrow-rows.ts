// Arrow results as the plain rows Vega reads: numbers for 64-bit integers and decimals, epoch milliseconds for
// dates and timestamps (Vega treats numbers on a temporal field as times), text for nested values.
import { DataType, type Table } from 'apache-arrow';

type Convert = (v: unknown) => unknown;

function converterFor(type: DataType): Convert {
  if (DataType.isDecimal(type)) {
    const scale = 10 ** type.scale;
    return (v) => (v === null || v === undefined ? null : Number(String(v)) / scale);
  }
  if (DataType.isDate(type) || DataType.isTimestamp(type))
    return (v) => (v === null || v === undefined ? null : v instanceof Date ? v.getTime() : Number(v));
  if (DataType.isList(type) || DataType.isStruct(type) || DataType.isMap(type))
    return (v) =>
      v === null || v === undefined
        ? null
        : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x));
  return (v) => (typeof v === 'bigint' ? Number(v) : (v ?? null));
}

export function tableRows(table: Table): Record<string, unknown>[] {
  const columns = table.schema.fields.map((f, i) => ({
    name: f.name,
    vector: table.getChildAt(i)!,
    convert: converterFor(f.type)
  }));
  const rows: Record<string, unknown>[] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, unknown> = {};
    for (const c of columns) row[c.name] = c.convert(c.vector.get(r));
    rows[r] = row;
  }
  return rows;
}
