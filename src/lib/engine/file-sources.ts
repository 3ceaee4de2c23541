// Uploaded files as tables of a notebook's DuckDB-WASM. Each query's plan says which columns and row groups of
// each file it reads. When that is a small slice of the file, only those pieces are fetched from the file's Parquet
// with range requests (parquet/); when it is not, the file's whole DuckDB copy is downloaded once and attached, and
// every later query reads it (parquet/read-choice.ts says why and where the line is). A file with a column that
// cannot travel in pieces exactly (nested types, intervals, time zones…), or a query DuckDB cannot plan, uses the
// whole copy too. A source may instead name its own Parquet (`url`: a published dashboard's base tables) and have
// no DuckDB copy: it is only ever read in pieces. (DuckDB-WASM cannot read a Parquet itself: its Parquet reader is
// an extension it would fetch from extensions.duckdb.org, and its attempt traps the engine.)
import type { AsyncDuckDB, AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import { ident } from '$cells/sql/quote';
import type { BoundValue } from '$cells/sql/parameters';
// Only the type: the Parquet reader (hyparquet) is a chunk of its own, fetched when a query first reads a file.
import type { FileTable } from './parquet/file-table';
import { planNeeds, trailingLimit, type ScanNeed } from './parquet/needs';
import { WHOLE_AT_MOST, wholeIsCheaper } from './parquet/read-choice';
import { traced } from './trace';

export type FileSource = {
  name: string;
  /** Letters, digits and underscores (it names tables and buffers inside DuckDB). */
  fileId: string;
  columns: { name: string; type: string }[];
  /** Its own Parquet, with no DuckDB copy beside it; unset: an uploaded file's, under /api/files/. */
  url?: string;
  /** The size of that Parquet, when known. */
  bytes?: number;
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
  private complete = new Set<string>(); // ids of sources without a DuckDB copy whose every piece is loaded
  private compared = new Map<string, Map<string, number>>(); // file id → column → how many filters compared it

  constructor(private readonly mode: ReadMode = 'auto') {}

  /** Makes the files `query` reads available under their table names, with what the query needs of them. */
  async prepare(
    db: AsyncDuckDB,
    conn: AsyncDuckDBConnection,
    query: string,
    files: FileSource[],
    /** Values for the query's $1, $2… (cells/sql/parameters.ts): the plan is made with them. */
    params: BoundValue[] = []
  ) {
    // A file read whole needs no plan: its copy holds everything.
    const pending = this.mode === 'whole' ? [] : files.filter((f) => !this.whole.has(f.fileId));
    // While DuckDB plans the query, the Parquet footers arrive, and so does each copy's size. The first query on a
    // file starts downloading the copy itself, cancelled if the plan chooses pieces (then little of it has come)
    // and that much nearer if not; a query ending in LIMIT most likely reads a few rows, so it does not. Later
    // queries on the file only ask for the size.
    const speculate = this.mode === 'auto' && trailingLimit(query) === null;
    const asked = new Map(
      pending.map((f) => {
        const copy =
          this.mode !== 'auto' || f.url
            ? null
            : speculate && !this.tables.has(f.fileId)
              ? this.download(f)
              : this.copySize(f);
        const table = this.open(f);
        table.catch(() => undefined); // awaited (and reported) when read
        return [f.fileId, { table, copy }] as const;
      })
    );
    try {
      const needs = pending.length ? await traced('plan', () => planNeeds(conn, query, files, params)) : null;
      for (const f of files) {
        const ask = asked.get(f.fileId);
        if (ask) {
          const scans = needs ? (needs.get(f.name.toLowerCase()) ?? []) : null;
          if (scans && (await this.readPieces(conn, f, scans, query, ask))) continue;
          if (f.url) {
            await this.piecesOnly(conn, f, scans, ask.table);
            continue;
          }
          await this.dropPieces(conn, f.fileId);
        }
        await this.attachWhole(db, conn, f, ask?.copy ?? null);
      }
    } finally {
      for (const a of asked.values()) a.copy?.cancel(); // downloads nobody took
    }
  }

  /**
   * Whether no query can need more of `f`: a source without a DuckDB copy of its own (a dashboard's base table)
   * whose every row group and column is loaded. Its queries then need no plan. (An uploaded file with every piece
   * loaded is still planned: its queries may move to its whole copy, which costs less to read.)
   */
  isComplete(f: FileSource): boolean {
    return this.complete.has(f.fileId);
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
    ask: { table: Promise<FileTable>; copy: CopyRequest | null }
  ) {
    const table = await ask.table;
    const columns = new Set(scans.flatMap((s) => [...s.columns]));
    if (!table.canRead(columns)) return false;
    // `select * from big limit 10`, the first look at a file, reads its first row group, not all of them.
    const limit = scans.length && scans.every((s) => s.firstRowsOnly) ? trailingLimit(query) : null;
    const groups = limit !== null ? table.firstGroups(limit) : table.groupsFor(scans);
    if (wholeIsCheaper(table.cost(groups, columns), (await ask.copy?.size) ?? null)) return false;
    ask.copy?.cancel();
    await traced('pieces', () => table.ensure(conn, f.name, groups, columns));
    const counts = this.compared.get(f.fileId) ?? new Map<string, number>();
    for (const c of scans.flatMap((s) => s.comparisons))
      counts.set(c.column, (counts.get(c.column) ?? 0) + 1);
    this.compared.set(f.fileId, counts);
    if (f.url && table.complete) {
      // Nothing more will be fetched: the pieces become one table, sorted for the filters seen so far.
      const order = [...counts].sort((a, b) => b[1] - a[1]).map(([column]) => column);
      await traced('pieces: merge', () => table.merge(conn, f.name, order));
      this.complete.add(f.fileId);
    }
    return true;
  }

  private open(f: FileSource): Promise<FileTable> {
    let t = this.tables.get(f.fileId);
    if (!t) {
      t = import('./parquet/file-table')
        .then(({ FileTable }) => FileTable.open(f.fileId, f.url ?? fileUrl(f.fileId, 'parquet'), f.columns))
        .catch((e: unknown) => {
          this.tables.delete(f.fileId);
          throw readFailure(f, (e as { status?: number }).status);
        });
      this.tables.set(f.fileId, t);
    }
    return t;
  }

  /** The size of the file's DuckDB copy (null when it cannot be had: then pieces it is), from a HEAD. */
  private copySize(f: FileSource): CopyRequest {
    let size = this.copySizes.get(f.fileId);
    if (!size) {
      size = fetch(fileUrl(f.fileId, 'duckdb'), { method: 'HEAD' })
        .then((r) => (r.ok ? Number(r.headers.get('content-length')) || null : null))
        .catch(() => null);
      this.copySizes.set(f.fileId, size);
    }
    return { size, response: null, cancel: () => undefined };
  }

  /** The file's DuckDB copy, requested in full; its size comes with the response's headers. */
  private download(f: FileSource): CopyRequest {
    const ctrl = new AbortController();
    let cancelled = false;
    const res = fetch(fileUrl(f.fileId, 'duckdb'), { signal: ctrl.signal });
    res.catch(() => undefined); // a cancelled download is not an error
    const size = res.then(
      (r) => (r.ok ? Number(r.headers.get('content-length')) || null : null),
      () => null
    );
    this.copySizes.set(f.fileId, size);
    const cancel = () => {
      cancelled = true;
      ctrl.abort();
    };
    void size.then((n) => {
      if (n === null)
        this.copySizes.delete(f.fileId); // not known (yet): asked again next time
      else if (n > WHOLE_AT_MOST) cancel(); // never read whole by choice
    });
    return { size, response: () => (cancelled ? null : res), cancel };
  }

  private async dropPieces(conn: AsyncDuckDBConnection, fileId: string) {
    const t = this.tables.get(fileId);
    if (!t) return;
    this.tables.delete(fileId);
    this.complete.delete(fileId);
    this.compared.delete(fileId);
    await (await t.catch(() => null))?.drop(conn);
  }

  private async attachWhole(
    db: AsyncDuckDB,
    conn: AsyncDuckDBConnection,
    f: FileSource,
    copy: CopyRequest | null
  ) {
    if (f.url) throw unreadable(f);
    const alias = ident(`file_${f.fileId}`);
    if (!this.whole.has(f.fileId)) {
      // Downloaded here in one request, rather than left to DuckDB-WASM's HTTP reads: those block its worker
      // for the download and, unless its configuration forces whole reads, fetch block by block (88 requests and
      // more bytes than the file for one sum in bench:sql).
      const res = (await copy?.response?.()) ?? (await fetch(fileUrl(f.fileId, 'duckdb')));
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

  /**
   * A source without a DuckDB copy that pieces cannot serve. A query DuckDB could not plan (`scans` null) runs over
   * what is loaded, and reports its own error; a column pieces cannot carry is refused here, before the engine is
   * asked anything it would trap on.
   */
  private async piecesOnly(
    conn: AsyncDuckDBConnection,
    f: FileSource,
    scans: ScanNeed[] | null,
    table: Promise<FileTable>
  ) {
    if (scans) throw unreadable(f);
    await (await table).ensure(conn, f.name, [], new Set());
  }

  /** Frees what was loaded of files that are no longer in the workspace; whether there was any. */
  async forget(conn: AsyncDuckDBConnection, keep: Set<string>): Promise<boolean> {
    const gone = [...this.tables.keys()].filter((id) => !keep.has(id));
    for (const id of gone) await this.dropPieces(conn, id);
    return gone.length > 0;
  }
}

/** A file's DuckDB copy: its size, and the response of a download in flight (null when there is none). */
type CopyRequest = {
  size: Promise<number | null>;
  response: (() => Promise<Response> | null) | null;
  cancel(): void;
};

const fileUrl = (fileId: string, kind: 'parquet' | 'duckdb') =>
  `${location.origin}/api/files/${fileId}/data.${kind}`;

function unreadable(f: FileSource): Error {
  return new Error(
    `Table "${f.name}" has a column of a type the browser's engine cannot read from its Parquet ` +
      `(nested, interval or time zone types); it can be read on the server only.`
  );
}

function readFailure(f: FileSource, status: number | undefined): Error {
  return new Error(
    status === 404
      ? `The file behind table "${f.name}" was deleted, or you no longer have access to it.`
      : `Could not read the file behind table "${f.name}"${status ? ` (HTTP ${status})` : ''}.`
  );
}
