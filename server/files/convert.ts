// Converts an uploaded file to Parquet with DuckDB and describes it. Runs in the conversion child process
// (convert-process.ts), never in the server: user files can ask DuckDB for unbounded work. Bad input becomes an
// AppError that names the problem (and the line, for CSV) without the server's paths; the caller deletes whatever
// was written.
import { rm, stat } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { AppError } from '../errors';
import { duckdb, ident, literal } from './duckdb';
import { JSON_DEPTH_LIMIT, nestsDeeperThan } from './json-depth';
import type { FileFormat } from './names';
import { looksBinary, unclosedQuoteLine } from './text-checks';
import { withoutPaths } from './without-paths';
import { xlsxToCsv } from './xlsx';

export type Column = { name: string; type: string };
export type Converted = { rows: number; columns: Column[]; parquetBytes: number };

/** Rows an upload may hold unless the operator says otherwise (UPLOAD_MAX_ROWS, server/config.ts). */
const DEFAULT_MAX_ROWS = 50_000_000;
const DEFAULT_MAX_UNCOMPRESSED = 4 * 1024 ** 3;

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

function tooManyRows(maxRows: number) {
  return bad(
    `This file has more than ${maxRows.toLocaleString('en-US')} rows, more than an upload may hold. ` +
      'Upload a filtered or aggregated extract. Nothing was stored.'
  );
}

/** A few hundred bytes of Parquet can declare hundreds of millions of rows, or one value of gigabytes that
 * compresses to nothing: the footer says so before anything is read. */
async function checkParquetFooter(conn: DuckDBConnection, src: string, maxRows: number, maxBytes: number) {
  let declared;
  try {
    declared = await conn.runAndReadAll(
      `select (select coalesce(sum(num_rows), 0) from parquet_file_metadata(${literal(src)}))::bigint,
              (select coalesce(sum(total_uncompressed_size), 0) from parquet_metadata(${literal(src)}))::bigint`
    );
  } catch (e) {
    throw bad(describeDuckdbError('parquet', e, [src]));
  }
  const [rows, bytes] = (declared.getRowsJson()[0] ?? [0, 0]).map(Number) as [number, number];
  if (rows > maxRows) throw tooManyRows(maxRows);
  if (bytes > maxBytes) {
    throw bad(
      `This Parquet file unpacks to ${formatSize(bytes)}, more than the ${formatSize(maxBytes)} an upload may hold. ` +
        'Upload a filtered or aggregated extract. Nothing was stored.'
    );
  }
}

const formatSize = (n: number) =>
  n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GB` : `${Math.ceil(n / 1024 ** 2)} MB`;

async function checkText(format: FileFormat, src: string): Promise<void> {
  if (format !== 'csv' && format !== 'tsv' && format !== 'json') return;
  if (await looksBinary(src)) {
    throw bad(
      `This file contains binary data, so it is not ${format.toUpperCase()}. Check that you picked the right file.`
    );
  }
  if (format === 'json' && (await nestsDeeperThan(src))) {
    throw bad(`This JSON is nested too deeply (over ${JSON_DEPTH_LIMIT} levels). Nothing was stored.`);
  }
  if (format !== 'json') {
    const line = await unclosedQuoteLine(src);
    if (line !== null) throw bad(`Line ${line}: a quoted value starts here and is never closed.`);
  }
}

export async function convertToParquet(
  format: FileFormat,
  src: string,
  dest: string,
  opts: { maxRows?: number; maxUncompressedBytes?: number } = {}
): Promise<Converted> {
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  const maxBytes = opts.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED;
  const { size } = await stat(src);
  if (size === 0) throw bad('The file is empty.');
  await checkText(format, src);

  let textColumns: string[] = [];
  const original = src;
  if (format === 'xlsx') {
    const csv = `${dest}.sheet.csv`;
    textColumns = await xlsxToCsv(src, csv);
    src = csv; // removed with everything else the upload wrote if it fails; see below when it does not
  }
  const conn = await (await duckdb()).connect();
  try {
    if (format === 'parquet') await checkParquetFooter(conn, src, maxRows, maxBytes);
    try {
      const from = reader(format, src, textColumns);
      // One row past the cap is enough to know it is over, and bounds the work for every format.
      await conn.run(
        `copy (select ${await selectList(conn, format, from)} from ${from} limit ${maxRows + 1}) to ${literal(dest)} (format parquet)`
      );
    } catch (e) {
      throw bad(describeDuckdbError(format, e, [original, src, dest]));
    }
    if (format === 'csv' || format === 'tsv' || format === 'xlsx') {
      const rejects = await conn.runAndReadAll(
        'select line, column_name, error_type, error_message from reject_errors order by line limit 1'
      );
      const first = rejects.getRowObjectsJson()[0];
      if (first) {
        const problem = withoutPaths(String(first.error_message), [original, src]).replace(/\.$/, '');
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
    checkColumnNames(columns);
    const counted = await conn.runAndReadAll(
      `select count(*)::bigint as n from read_parquet(${literal(dest)})`
    );
    const rows = Number(counted.getRowsJson()[0]?.[0] ?? 0);
    if (rows > maxRows) throw tooManyRows(maxRows);
    if (rows === 0 && format !== 'parquet') throw bad('The file has no rows of data.');
    return { rows, columns, parquetBytes: (await stat(dest)).size };
  } finally {
    conn.closeSync();
    if (format === 'xlsx') await rm(src, { force: true });
  }
}

/**
 * What is stored of each column. DuckDB types JSON whose values mix types (a title that is sometimes a number)
 * as JSON, a type that lives in DuckDB's json extension: the browser's engine would have to download it from
 * extensions.duckdb.org before reading the file at all, and Sheaf loads nothing from other hosts. Such columns,
 * also inside structs and lists, are stored as text instead: a string as itself, anything else as its JSON.
 */
async function selectList(conn: DuckDBConnection, format: FileFormat, from: string): Promise<string> {
  if (format !== 'json' && format !== 'parquet') return '*';
  const described = await conn.runAndReadAll(
    `select column_name, column_type from (describe select * from ${from})`
  );
  const columns = described
    .getRowObjectsJson()
    .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  if (!columns.some((c) => jsonAsText(c.type) !== c.type)) return '*';
  return columns
    .map((c) => {
      const type = jsonAsText(c.type);
      const col = ident(c.name);
      if (type === c.type) return col;
      // A whole column of JSON: strings as themselves ("Amélie", not "\"Amélie\""), other values as their JSON.
      if (c.type === 'JSON') return `json_extract_string(${col}, '$') as ${col}`;
      return `cast(${col} as ${type}) as ${col}`;
    })
    .join(', ');
}

/** `type` with every JSON in it made VARCHAR. A type name, unlike a field name, is followed by a comma, a
 * closing parenthesis, a list's brackets or the end (a field called JSON is followed by its type). */
function jsonAsText(type: string): string {
  return type.replace(/(?<=^|[\s(,])JSON(?=$|[,)[])/g, 'VARCHAR');
}

/** Column names are stored in the app database, which refuses NUL, and shown in every editor. */
function checkColumnNames(columns: Column[]): void {
  // eslint-disable-next-line no-control-regex -- NUL is exactly what is refused
  const i = columns.findIndex((c) => /\u0000/.test(c.name));
  if (i >= 0) {
    throw bad(
      `Column ${i + 1}'s name contains a NUL character (byte 0), which no column name may hold. ` +
        'Rename it in the file and upload it again. Nothing was stored.'
    );
  }
  if (columns.some((c) => c.name.length > 1000)) {
    throw bad('A column name in this file is longer than 1,000 characters. Nothing was stored.');
  }
}

function describeDuckdbError(format: FileFormat, e: unknown, paths: string[]): string {
  const raw = withoutPaths(e instanceof Error ? e.message : String(e), paths);
  const firstLine = raw.split('\n')[0]!.replace(/^[A-Za-z ]+Error: /, '');
  if (/out of memory|allocation failure/i.test(raw)) return OUT_OF_MEMORY;
  if (/sniffing file/i.test(raw)) {
    return `Could not read this as ${format.toUpperCase()}: its rows do not have a consistent layout. Check the delimiter and quoting.`;
  }
  if (format === 'parquet') return `This is not a readable Parquet file (${firstLine}).`;
  if (format === 'json') return `This is not valid JSON or newline-delimited JSON (${firstLine}).`;
  return `Could not read the file: ${firstLine}`;
}

export const OUT_OF_MEMORY =
  'The file needs more memory than an upload may use. Split it, or upload it as CSV or Parquet. Nothing was stored.';
