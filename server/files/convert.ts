// Converts an uploaded file to Parquet with DuckDB and describes it. Bad input becomes an AppError that names the
// problem (and the line, for CSV); the caller deletes whatever was written.
import { rm, stat } from 'node:fs/promises';
import { AppError } from '../errors';
import { duckdb, literal } from './duckdb';
import type { FileFormat } from './names';
import { looksBinary, unclosedQuoteLine } from './text-checks';
import { xlsxToCsv } from './xlsx';

export type Column = { name: string; type: string };
export type Converted = { rows: number; columns: Column[]; parquetBytes: number };

const bad = (message: string) => new AppError('invalid', message);

function reader(format: FileFormat, src: string, textColumns: string[] = []): string {
  const f = literal(src);
  switch (format) {
    case 'xlsx': {
      // `src` is the sheet as CSV by now; columns that hold text in Excel stay text ("00123").
      const types = textColumns.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ');
      return `read_csv(${f}, header = true, delim = ',', quote = '"', escape = '"', store_rejects = true${types ? `, types = {${types}}` : ''})`;
    }
    case 'csv':
      return `read_csv(${f}, header = true, delim = ',', quote = '"', escape = '"', store_rejects = true)`;
    case 'tsv':
      return `read_csv(${f}, header = true, delim = '\\t', quote = '"', escape = '"', store_rejects = true)`;
    case 'json':
      return `read_json_auto(${f})`;
    case 'parquet':
      return `read_parquet(${f})`;
  }
}

export async function convertToParquet(format: FileFormat, src: string, dest: string): Promise<Converted> {
  const { size } = await stat(src);
  if (size === 0) throw bad('The file is empty.');
  const textual = format === 'csv' || format === 'tsv' || format === 'json';
  if (textual && (await looksBinary(src))) {
    throw bad(
      `This file contains binary data, so it is not ${format.toUpperCase()}. Check that you picked the right file.`
    );
  }
  if (format === 'csv' || format === 'tsv') {
    const line = await unclosedQuoteLine(src);
    if (line !== null) throw bad(`Line ${line}: a quoted value starts here and is never closed.`);
  }

  let textColumns: string[] = [];
  if (format === 'xlsx') {
    const csv = `${dest}.sheet.csv`;
    textColumns = await xlsxToCsv(src, csv);
    src = csv; // removed with everything else the upload wrote if it fails; see below when it does not
  }
  const conn = await (await duckdb()).connect();
  try {
    try {
      await conn.run(
        `copy (select * from ${reader(format, src, textColumns)}) to ${literal(dest)} (format parquet)`
      );
    } catch (e) {
      throw bad(describeDuckdbError(format, e));
    }
    if (format === 'csv' || format === 'tsv' || format === 'xlsx') {
      const rejects = await conn.runAndReadAll(
        'select line, column_name, error_type, error_message from reject_errors order by line limit 1'
      );
      const first = rejects.getRowObjectsJson()[0];
      if (first) {
        const problem = String(first.error_message).replace(/\.$/, '');
        throw bad(
          `Line ${first.line}: ${problem} (${String(first.error_type).toLowerCase()}). Nothing was stored.`
        );
      }
    }
    const described = await conn.runAndReadAll(
      `select column_name, column_type from (describe select * from read_parquet(${literal(dest)}))`
    );
    const columns = described
      .getRowObjectsJson()
      .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    const counted = await conn.runAndReadAll(
      `select count(*)::bigint as n from read_parquet(${literal(dest)})`
    );
    const rows = Number(counted.getRowsJson()[0]?.[0] ?? 0);
    if (rows === 0 && format !== 'parquet') throw bad('The file has no rows of data.');
    return { rows, columns, parquetBytes: (await stat(dest)).size };
  } finally {
    conn.closeSync();
    if (format === 'xlsx') await rm(src, { force: true });
  }
}

function describeDuckdbError(format: FileFormat, e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const firstLine = raw.split('\n')[0]!.replace(/^[A-Za-z ]+Error: /, '');
  if (/sniffing file/i.test(raw)) {
    return `Could not read this as ${format.toUpperCase()}: its rows do not have a consistent layout. Check the delimiter and quoting.`;
  }
  if (format === 'parquet') return `This is not a readable Parquet file (${firstLine}).`;
  if (format === 'json') return `This is not valid JSON or newline-delimited JSON (${firstLine}).`;
  return `Could not read the file: ${firstLine}`;
}
