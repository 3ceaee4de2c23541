// The copy of an uploaded file that browsers query: a DuckDB database file holding one table, `data`.
// Why not the Parquet itself: DuckDB-WASM reads Parquet only through an extension it downloads from
// extensions.duckdb.org, and Sheaf loads nothing from third-party hosts. DuckDB's own storage format is built in.
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { newId } from '../ids';
import { duckdb, literal } from './duckdb';

/** The storage format the browser's DuckDB (duckdb-wasm, DuckDB 1.5) reads; pinned so a newer server DuckDB
 * cannot write files the browser's older one refuses. */
const BROWSER_STORAGE_VERSION = 'v1.4.0';

export const browserCopyName = 'data.duckdb';

/** Writes `dest` (which must not exist) from the Parquet file `parquet`. */
export async function writeBrowserCopy(parquet: string, dest: string): Promise<void> {
  const alias = `copy_${newId()}`;
  const conn = await (await duckdb()).connect();
  try {
    await conn.run(`attach ${literal(dest)} as ${alias} (storage_version '${BROWSER_STORAGE_VERSION}')`);
    try {
      await conn.run(`create table ${alias}.data as select * from read_parquet(${literal(parquet)})`);
    } finally {
      await conn.run(`detach ${alias}`);
    }
  } finally {
    conn.closeSync();
  }
}

const building = new Map<string, Promise<void>>();

/** Makes sure the browser copy next to `parquet` exists (files stored before copies existed get one on first
 * read). Built under a temporary name and renamed, so a reader never sees half a file. */
export async function ensureBrowserCopy(parquet: string): Promise<string> {
  const dest = path.join(path.dirname(parquet), browserCopyName);
  if (existsSync(dest)) return dest;
  let job = building.get(dest);
  if (!job) {
    const tmp = `${dest}.tmp-${newId()}`;
    job = writeBrowserCopy(parquet, tmp)
      .then(() => rename(tmp, dest))
      .catch(async (e: unknown) => {
        await rm(tmp, { force: true });
        throw e;
      })
      .finally(() => building.delete(dest));
    building.set(dest, job);
  }
  await job;
  return dest;
}
