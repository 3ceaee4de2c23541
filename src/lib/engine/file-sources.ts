// Uploaded files as tables of a notebook's DuckDB-WASM. Each query's plan says which columns and row groups of
// each file it reads; only those are fetched from the file's Parquet with range requests (parquet/). A file
// with a column that cannot travel that way exactly (nested types, intervals, time zones…), or a query DuckDB
// cannot plan, uses the file's whole DuckDB copy instead, attached over HTTP.
import type { AsyncDuckDB, AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import { ident } from '$cells/sql/quote';
import { FileTable } from './parquet/file-table';
import { planNeeds, trailingLimit } from './parquet/needs';

export type FileSource = {
  name: string;
  fileId: string;
  columns: { name: string; type: string }[];
};

export class FileSources {
  private tables = new Map<string, Promise<FileTable>>(); // file id → its table (read in pieces)
  private whole = new Set<string>(); // file ids attached whole

  /** Makes the files `query` reads available under their table names, with what the query needs of them. */
  async prepare(db: AsyncDuckDB, conn: AsyncDuckDBConnection, query: string, files: FileSource[]) {
    const needs = await planNeeds(conn, query, files);
    for (const f of files) {
      const scans = needs ? (needs.get(f.name.toLowerCase()) ?? []) : null;
      const columns = new Set(scans?.flatMap((s) => [...s.columns]));
      if (!this.whole.has(f.fileId) && scans) {
        const table = await this.open(f);
        if (table.canRead(columns)) {
          // `select * from big limit 10`, the first look at a file, reads its first row group, not all of them.
          const limit = scans.length && scans.every((s) => s.firstRowsOnly) ? trailingLimit(query) : null;
          const groups = limit !== null ? table.firstGroups(limit) : table.groupsFor(scans);
          await table.ensure(conn, f.name, groups, columns);
          continue;
        }
        await table.drop(conn);
        this.tables.delete(f.fileId);
      }
      await this.attachWhole(db, conn, f);
    }
  }

  private open(f: FileSource): Promise<FileTable> {
    let t = this.tables.get(f.fileId);
    if (!t) {
      t = FileTable.open(f.fileId, fileUrl(f.fileId, 'parquet'), f.columns).catch((e: unknown) => {
        this.tables.delete(f.fileId);
        throw readFailure(f, (e as { status?: number }).status);
      });
      this.tables.set(f.fileId, t);
    }
    return t;
  }

  private async attachWhole(db: AsyncDuckDB, conn: AsyncDuckDBConnection, f: FileSource) {
    const alias = ident(`file_${f.fileId}`);
    if (!this.whole.has(f.fileId)) {
      const { DuckDBDataProtocol } = await import('@duckdb/duckdb-wasm');
      const url = fileUrl(f.fileId, 'duckdb');
      // Ask first: DuckDB's own message for a missing HTTP file does not say which table it was for.
      const probe = await fetch(url, { method: 'HEAD' });
      if (!probe.ok) throw readFailure(f, probe.status);
      await db.registerFileURL(`${f.fileId}.duckdb`, url, DuckDBDataProtocol.HTTP, false);
      await conn.query(`attach '${f.fileId}.duckdb' as ${alias} (read_only)`);
      this.whole.add(f.fileId);
    }
    await conn.query(`create or replace view ${ident(f.name)} as select * from ${alias}.data`);
  }

  /** Frees what was loaded of files that are no longer in the workspace. */
  async forget(conn: AsyncDuckDBConnection, keep: Set<string>) {
    for (const [id, t] of this.tables) {
      if (keep.has(id)) continue;
      this.tables.delete(id);
      await (await t.catch(() => null))?.drop(conn);
    }
  }
}

const fileUrl = (fileId: string, kind: 'parquet' | 'duckdb') =>
  `${location.origin}/api/files/${fileId}/data.${kind}`;

function readFailure(f: FileSource, status: number | undefined): Error {
  return new Error(
    status === 404
      ? `The file behind table "${f.name}" was deleted, or you no longer have access to it.`
      : `Could not read the file behind table "${f.name}"${status ? ` (HTTP ${status})` : ''}.`
  );
}
