// Arrow rows into a new native DuckDB table through an appender, types kept (decimals exact, timestamps to the
// microsecond, text as text; nested values as JSON text). Yields to the event loop every few thousand rows, so
// a big table does not stall collaboration for everyone else. Used for Parquet exports and dashboard snapshots.
import {
  DuckDBDecimalValue,
  DuckDBDateValue,
  DuckDBTimestampValue,
  type DuckDBAppender,
  type DuckDBConnection
} from '@duckdb/node-api';
import { DataType, type Field, type Table, type Vector } from 'apache-arrow';
import { ident } from '../../cells/sql/quote';

type Column = { sqlType: string; append: (a: DuckDBAppender, r: number) => void };

const MS_PER_DAY = 86_400_000;
const ROWS_PER_SLICE = 8192;
const toMs = (v: unknown) => (v instanceof Date ? v.getTime() : Number(v));

/** Raw 64-bit values of a vector, read in row order across its chunks (Arrow JS's get() rounds times to ms). */
function int64Reader(vector: Vector): (r: number) => bigint {
  const chunks = vector.data;
  let chunk = 0;
  let start = 0;
  return (r) => {
    while (r >= start + chunks[chunk]!.length) start += chunks[chunk++]!.length;
    const data = chunks[chunk]!;
    return (data.values as BigInt64Array)[data.offset + r - start]!;
  };
}

const MICROS_PER_UNIT = [1_000_000n, 1_000n, 1n]; // seconds, milliseconds, microseconds; nanoseconds divide

function columnFor(field: Field, vector: Vector): Column {
  const t = field.type;
  const get = (r: number) => vector.get(r) as unknown;
  const plain = (sqlType: string, put: (a: DuckDBAppender, v: unknown) => void): Column => ({
    sqlType,
    append: (a, r) => put(a, get(r))
  });
  if (DataType.isBool(t)) return plain('BOOLEAN', (a, v) => a.appendBoolean(Boolean(v)));
  if (DataType.isInt(t)) {
    if (t.bitWidth === 64)
      return t.isSigned
        ? plain('BIGINT', (a, v) => a.appendBigInt(BigInt(v as bigint)))
        : plain('UBIGINT', (a, v) => a.appendUBigInt(BigInt(v as bigint)));
    return plain(t.isSigned ? 'INTEGER' : 'BIGINT', (a, v) => a.appendBigInt(BigInt(v as number)));
  }
  if (DataType.isFloat(t)) return plain('DOUBLE', (a, v) => a.appendDouble(Number(v)));
  if (DataType.isDecimal(t)) {
    const width = Math.min(t.precision, 38);
    return plain(`DECIMAL(${width}, ${t.scale})`, (a, v) =>
      a.appendDecimal(new DuckDBDecimalValue(BigInt(String(v)), width, t.scale))
    );
  }
  if (DataType.isDate(t))
    return plain('DATE', (a, v) => a.appendDate(new DuckDBDateValue(Math.floor(toMs(v) / MS_PER_DAY))));
  if (DataType.isTimestamp(t)) {
    const raw = int64Reader(vector);
    const unit = t.unit as number;
    const micros = (x: bigint) => (unit === 3 ? x / 1000n : x * MICROS_PER_UNIT[unit]!);
    return {
      sqlType: t.timezone ? 'TIMESTAMPTZ' : 'TIMESTAMP',
      append: (a, r) => a.appendTimestamp(new DuckDBTimestampValue(micros(raw(r))))
    };
  }
  if (DataType.isUtf8(t) || DataType.isLargeUtf8(t) || DataType.isDictionary(t))
    return plain('VARCHAR', (a, v) => a.appendVarchar(String(v)));
  // Anything else (lists, structs, intervals…) as JSON text: readable everywhere, nothing dropped.
  return plain('VARCHAR', (a, v) =>
    a.appendVarchar(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)))
  );
}

/** Creates `tableName` (a plain identifier, quoted here) with the Arrow table's columns and rows. */
export async function appendArrow(conn: DuckDBConnection, tableName: string, table: Table): Promise<void> {
  const vectors = table.schema.fields.map((_f, i) => table.getChildAt(i)!);
  const columns = table.schema.fields.map((f, i) => columnFor(f, vectors[i]!));
  const names = new Set<string>();
  const defs = table.schema.fields.map((f, i) => {
    // Parquet and SQL need distinct column names; a result may repeat one (select a.id, b.id).
    let name = f.name || `column_${i + 1}`;
    while (names.has(name.toLowerCase())) name = `${name}_${i + 1}`;
    names.add(name.toLowerCase());
    return `${ident(name)} ${columns[i]!.sqlType}`;
  });
  await conn.run(`create table ${ident(tableName)} (${defs.join(', ') || 'empty BOOLEAN'})`);
  const appender = await conn.createAppender(tableName);
  for (let r = 0; r < table.numRows; r++) {
    for (let c = 0; c < columns.length; c++) {
      if (vectors[c]!.isValid(r)) columns[c]!.append(appender, r);
      else appender.appendNull();
    }
    appender.endRow();
    if (r % ROWS_PER_SLICE === ROWS_PER_SLICE - 1) await new Promise((done) => setImmediate(done));
  }
  appender.closeSync();
}
