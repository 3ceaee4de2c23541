// A stored result as a Parquet file, for "download as Parquet". The browser's DuckDB cannot write Parquet
// without an extension fetched from a third-party host, so the server's native DuckDB does it: the Arrow rows go
// into a scratch table (append-arrow.ts), then COPY … (FORMAT parquet). A run's result never changes, so the
// file is made once and kept beside it; conversions run one at a time and yield to the event loop as they go,
// so a big one does not stall collaboration for everyone else.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { duckdb, literal } from '../files/duckdb';
import { newId } from '../ids';
import { appendArrow } from './append-arrow';

async function convert(arrowFile: string, out: string): Promise<void> {
  const table = tableFromIPC(await readFile(arrowFile));
  const scratch = `export_${newId()}`;
  const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-export-'));
  const conn = await (await duckdb()).connect();
  try {
    await appendArrow(conn, scratch, table);
    const tmp = path.join(dir, 'result.parquet');
    await conn.run(`copy ${scratch} to ${literal(tmp)} (format parquet, compression zstd)`);
    await rename(tmp, out).catch(async () => {
      // Another file system: copy through the data folder instead.
      await conn.run(`copy ${scratch} to ${literal(out)} (format parquet, compression zstd)`);
    });
  } finally {
    await conn.run(`drop table if exists ${scratch}`).catch(() => undefined);
    conn.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Where a stored result's Parquet copy lives (removed with the result). */
export const parquetPathOf = (arrowFile: string) => `${arrowFile}.parquet`;

let queue: Promise<unknown> = Promise.resolve();

/** The Parquet copy of the Arrow IPC stream at `arrowFile`, made on first request. */
export function parquetOf(arrowFile: string): Promise<string> {
  const out = parquetPathOf(arrowFile);
  const next = queue.then(async () => {
    if (!existsSync(out)) await convert(arrowFile, out);
    return out;
  });
  queue = next.catch(() => undefined);
  return next;
}
