// An Excel workbook's first sheet as CSV, so it takes the same road as any CSV (DuckDB infers the types). Numbers
// keep their exact text from the workbook; cells Excel formats as dates become ISO dates or timestamps.
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { readSheet } from 'read-excel-file/node';
import { csvField as quote } from '../../cells/csv-field';
import { AppError } from '../errors';
import { checkWorkbookSize } from './xlsx-limits';

/** Workbooks are read whole (they are zip files): above this, ask for CSV instead. */
const XLSX_LIMIT_BYTES = 100 * 1024 ** 2;

const bad = (message: string) => new AppError('invalid', message);

/** A number cell, told apart from text that looks like one ("00123" must stay text). */
class NumberText {
  constructor(readonly text: string) {}
}

/** Writes the first sheet to `dest` as CSV; returns the columns that hold text, which must stay text. */
export async function xlsxToCsv(src: string, dest: string): Promise<string[]> {
  const { size } = await stat(src);
  if (size > XLSX_LIMIT_BYTES) {
    throw bad(
      `Excel files are read up to ${XLSX_LIMIT_BYTES / 1024 ** 2} MB; save this one as CSV and upload that. Nothing was stored.`
    );
  }
  await checkWorkbookSize(src);
  let rows: unknown[][];
  try {
    rows = await readSheet(src, { parseNumber: (text: string) => new NumberText(text), trim: false });
  } catch {
    throw bad(
      'This is not an Excel workbook (.xlsx) that can be read: it may be damaged, or an older .xls file.'
    );
  }
  const width = Math.max(0, ...rows.map((r) => r.length));
  if (rows.length < 2 || width === 0) throw bad('The first sheet of this workbook has no rows of data.');
  const out = createWriteStream(dest);
  const header = Array.from({ length: width }, (_, i) => {
    const v = rows[0]![i];
    return v === null || v === undefined || v === '' ? `column_${i + 1}` : cellText(v);
  });
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write(header.map(quote).join(',') + '\n');
  const text = new Set<number>();
  for (const row of rows.slice(1)) {
    const cells = Array.from({ length: width }, (_, i) => row[i]);
    if (cells.every((v) => v === null || v === undefined || v === '')) continue;
    cells.forEach((v, i) => typeof v === 'string' && v !== '' && text.add(i));
    await write(cells.map((v) => (v === null || v === undefined ? '' : quote(cellText(v)))).join(',') + '\n');
  }
  out.end();
  await once(out, 'finish');
  return [...text].map((i) => header[i]!);
}

function cellText(v: unknown): string {
  if (v instanceof Date) {
    const iso = v.toISOString(); // Excel dates have no zone; the reader gives them as UTC
    return iso.endsWith('T00:00:00.000Z')
      ? iso.slice(0, 10)
      : iso.replace('T', ' ').replace(/\.000Z$|Z$/, '');
  }
  return v instanceof NumberText ? v.text : String(v);
}
