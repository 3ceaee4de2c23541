// A stored result as a Parquet file, for "download as Parquet". The browser's DuckDB cannot write Parquet
// without an extension fetched from a third-party host, so the server's native DuckDB does it: the Arrow rows
// go into a scratch table through an appender, then COPY … (FORMAT parquet).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBDateValue, DuckDBTimestampValue, type DuckDBAppender } from '@duckdb/node-api';
import { DataType, tableFromIPC, type Field } from 'apache-arrow';
import { duckdb, literal } from '../files/duckdb';
import { newId } from '../ids';

type Column = { sqlType: string; append: (a: DuckDBAppender, v: unknown) => void };

const MS_PER_DAY = 86_400_000;
const toMs = (v: unknown) => (v instanceof Date ? v.getTime() : Number(v));

function columnFor(field: Field): Column {
  const t = field.type;
  if (DataType.isBool(t)) return { sqlType: 'BOOLEAN', append: (a, v) => a.appendBoolean(Boolean(v)) };
  if (DataType.isInt(t)) {
    if (t.bitWidth === 64)
      return t.isSigned
        ? { sqlType: 'BIGINT', append: (a, v) => a.appendBigInt(BigInt(v as bigint)) }
        : { sqlType: 'UBIGINT', append: (a, v) => a.appendUBigInt(BigInt(v as bigint)) };
    return {
      sqlType: t.isSigned ? 'INTEGER' : 'BIGINT',
      append: (a, v) => a.appendBigInt(BigInt(v as number))
    };
  }
  if (DataType.isFloat(t)) return { sqlType: 'DOUBLE', append: (a, v) => a.appendDouble(Number(v)) };
  if (DataType.isDecimal(t)) {
    const scale = 10 ** t.scale;
    return { sqlType: 'DOUBLE', append: (a, v) => a.appendDouble(Number(String(v)) / scale) };
  }
  if (DataType.isDate(t))
    return {
      sqlType: 'DATE',
      append: (a, v) => a.appendDate(new DuckDBDateValue(Math.floor(toMs(v) / MS_PER_DAY)))
    };
  if (DataType.isTimestamp(t))
    return {
      sqlType: 'TIMESTAMP',
      append: (a, v) => a.appendTimestamp(new DuckDBTimestampValue(BigInt(Math.round(toMs(v))) * 1000n))
    };
  if (DataType.isUtf8(t) || DataType.isLargeUtf8(t))
    return { sqlType: 'VARCHAR', append: (a, v) => a.appendVarchar(String(v)) };
  // Anything else (lists, structs, intervals…) as JSON text: readable everywhere, nothing lost silently.
  return {
    sqlType: 'VARCHAR',
    append: (a, v) =>
      a.appendVarchar(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)))
  };
}

/** Writes the Arrow IPC stream at `arrowFile` as Parquet; returns the bytes. */
export async function arrowFileToParquet(arrowFile: string): Promise<Buffer> {
  const table = tableFromIPC(await readFile(arrowFile));
  const columns = table.schema.fields.map(columnFor);
  const scratch = `export_${newId()}`;
  const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-export-'));
  const out = path.join(dir, 'result.parquet');
  const conn = await (await duckdb()).connect();
  try {
    const names = new Set<string>();
    const defs = table.schema.fields.map((f, i) => {
      // Parquet needs distinct column names; a result may repeat one (select a, a).
      let name = f.name || `column_${i + 1}`;
      while (names.has(name.toLowerCase())) name = `${name}_${i + 1}`;
      names.add(name.toLowerCase());
      return `"${name.replace(/"/g, '""')}" ${columns[i]!.sqlType}`;
    });
    await conn.run(`create table ${scratch} (${defs.join(', ') || 'empty BOOLEAN'})`);
    const appender = await conn.createAppender(scratch);
    const vectors = table.schema.fields.map((_f, i) => table.getChildAt(i)!);
    for (let r = 0; r < table.numRows; r++) {
      for (let c = 0; c < columns.length; c++) {
        const v = vectors[c]!.get(r);
        if (v === null || v === undefined) appender.appendNull();
        else columns[c]!.append(appender, v);
      }
      appender.endRow();
    }
    appender.closeSync();
    await conn.run(`copy ${scratch} to ${literal(out)} (format parquet, compression zstd)`);
    return await readFile(out);
  } finally {
    await conn.run(`drop table if exists ${scratch}`).catch(() => undefined);
    conn.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}
