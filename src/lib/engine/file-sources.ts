// Uploaded files as tables of a notebook's DuckDB-WASM. Each query's plan says which columns and row groups of
// each file it reads. When that is a small slice of the file, only those pieces are fetched from the file's Parquet
// with range requests (parquet/); when it is not, the file's whole DuckDB copy is downloaded once and attached, and
// every later query reads it (parquet/read-choice.ts says why and where the line is). A file with a column that
// cannot travel in pieces exactly (nested types, intervals, time zones…), or a query DuckDB cannot plan, uses the
// whole copy too.
import type { AsyncDuckDB, AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import { ident } from '$cells/sql/quote';
import { FileTable } from './parquet/file-table';
import { planNeeds, trailingLimit, type ScanNeed } from './parquet/needs';
import { wholeIsCheaper } from './parquet/read-choice';

export type FileSource = {
  name: string;
  fileId: string;
  columns: { name: string; type: string }[];
};

/**
 * `auto` chooses per query (the app); benchmarks force `pieces` (whenever the columns allow it) or `whole` to
 * measure each way.
 */
export type ReadMode = 'auto' | 'pieces' | 'whole';

export class FileSources {
  private tables = new Map<string, Promise<FileTable>>(); // file id → its table (read in pieces)
  private copySizes = new Map<string, Promise<number | null>>(); // file id → bytes of its DuckDB copy
  private whole = new Set<string>(); // file ids attached whole

  constructor(private readonly mode: ReadMode = 'auto') {}

  /** Makes the files `query` reads available under their table names, with what the query needs of them. */
  async prepare(db: AsyncDuckDB, conn: AsyncDuckDBConnection, query: string, files: FileSource[]) {
    // A file read whole needs no plan: its copy holds everything.
    const pending = this.mode === 'whole' ? [] : files.filter((f) => !this.whole.has(f.fileId));
    // The Parquet footers and the copies' sizes are asked for while DuckDB plans the query.
    const asked = new Map(
      pending.map((f) => {
        const table = this.open(f);
        table.catch(() => undefined); // awaited (and reported) when read
        const copyBytes = this.mode === 'auto' ? this.copySize(f) : Promise.resolve(null);
        return [f.fileId, { table, copyBytes }] as const;
      })
    );
    const needs = pending.length ? await planNeeds(conn, query, files) : null;
    for (const f of files) {
      const ask = asked.get(f.fileId);
      if (ask) {
        const scans = needs ? (needs.get(f.name.toLowerCase()) ?? []) : null;
        if (scans && (await this.readPieces(conn, f, scans, query, ask))) continue;
        await this.dropPieces(conn, f.fileId);
      }
      await this.attachWhole(db, conn, f);
    }
  }

  /** Whether file `fileId` is read from its whole copy (from now on). */
  readsWhole(fileId: string): boolean {
    return this.whole.has(fileId);
  }

  /** Loads what `scans` need of `f` from its Parquet; false when the whole copy is to be read instead. */
  private async readPieces(
    conn: AsyncDuckDBConnection,
    f: FileSource,
    scans: ScanNeed[],
    query: string,
    ask: { table: Promise<FileTable>; copyBytes: Promise<number | null> }
  ) {
    const table = await ask.table;
    const columns = new Set(scans.flatMap((s) => [...s.columns]));
    if (!table.canRead(columns)) return false;
    // `select * from big limit 10`, the first look at a file, reads its first row group, not all of them.
    const limit = scans.length && scans.every((s) => s.firstRowsOnly) ? trailingLimit(query) : null;
    const groups = limit !== null ? table.firstGroups(limit) : table.groupsFor(scans);
    if (wholeIsCheaper(table.cost(groups, columns), await ask.copyBytes)) return false;
    await table.ensure(conn, f.name, groups, columns);
    return true;
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

  /** Bytes of the file's DuckDB copy, or null when it cannot be had (then pieces it is). */
  private copySize(f: FileSource): Promise<number | null> {
    let size = this.copySizes.get(f.fileId);
    if (!size) {
      size = fetch(fileUrl(f.fileId, 'duckdb'), { method: 'HEAD' })
        .then((r) => (r.ok ? Number(r.headers.get('content-length')) || null : null))
        .catch(() => null);
      this.copySizes.set(f.fileId, size);
    }
    return size;
  }

  private async dropPieces(conn: AsyncDuckDBConnection, fileId: string) {
    const t = this.tables.get(fileId);
    if (!t) return;
    this.tables.delete(fileId);
    await (await t.catch(() => null))?.drop(conn);
  }

  private async attachWhole(db: AsyncDuckDB, conn: AsyncDuckDBConnection, f: FileSource) {
    const alias = ident(`file_${f.fileId}`);
    if (!this.whole.has(f.fileId)) {
      // Downloaded here in one request, rather than left to DuckDB-WASM's HTTP reads: those block its worker
      // for the download and, unless its configuration forces whole reads, fetch block by block (88 requests and
      // more bytes than the file for one sum in bench:sql).
      const res = await fetch(fileUrl(f.fileId, 'duckdb'));
      if (!res.ok) throw readFailure(f, res.status);
      const name = `${f.fileId}.duckdb`;
      await db.registerFileBuffer(name, new Uint8Array(await res.arrayBuffer()));
      try {
        await conn.query(`attach '${name}' as ${alias} (read_only)`);
      } catch (e) {
        await db.dropFile(name).catch(() => undefined); // so that a later try can register it again
        throw e;
      }
      this.whole.add(f.fileId);
    }
    await conn.query(`create or replace view ${ident(f.name)} as select * from ${alias}.data`);
  }

  /** Frees what was loaded of files that are no longer in the workspace. */
  async forget(conn: AsyncDuckDBConnection, keep: Set<string>) {
    for (const id of [...this.tables.keys()]) if (!keep.has(id)) await this.dropPieces(conn, id);
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
