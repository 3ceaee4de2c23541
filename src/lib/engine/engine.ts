// One DuckDB-WASM per open notebook (BrowserDuckDB; a SQL cell's `engine` setting, read with sqlEngine, is
// where a cell runs, of which this is the 'local' one). Tables come from three places: uploaded files (what each
// query needs of them, read from their Parquet with range requests: file-sources.ts), results computed here (a
// table named after the cell), and results other people computed (fetched from the server as Arrow on first use).
import type { AsyncDuckDB, AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import { Table } from 'apache-arrow';
import { referencedNames } from '$cells/sql/references';
import { compileParameters, ParameterError, type BoundValue, type InputValues } from '$cells/sql/parameters';
import { loadDuckDB, warmUp } from './duckdb-loader';
import { FileSources } from './file-sources';
import { KeptStatements } from './kept-statements';
import { engineFailure } from './engine-failure';
import { errorPosition, type ErrorPosition } from './error-position';
import { cleanQuery, ident, readableError } from './sql-text';
import { dropName, replaceTable, withPrepared } from './table-swap';
import { resultBytes } from './stored-results';
import { record, traced, watchRoundTrips } from './trace';

/** A table a query may read. `key` changes when the content does (a new upload, a new run). */
export type TableSource =
  | {
      kind: 'file';
      name: string;
      key: string;
      fileId: string;
      columns: { name: string; type: string }[];
      /** A Parquet of its own with no DuckDB copy (a dashboard's base table); unset for uploaded files. */
      url?: string;
      /** The size of that Parquet, when known. */
      bytes?: number;
    }
  | { kind: 'result'; name: string; key: string; url: string };

export type RunOptions = {
  /**
   * `later`: the result becomes table `name` only when a query first reads it (as adopted results do), so a
   * result nothing reads again (a dashboard card's) never goes back into DuckDB. The caller then lists it among
   * the sources, as a `result` of this `key`.
   */
  keep?: 'now' | 'later';
  /**
   * The cell's query is run again and again with other values (a dashboard's card as a viewer filters): its
   * connection and prepared statement are kept between runs, and the result comes whole in one message
   * (kept-statements.ts). A cancel then takes effect when the query ends, not between batches.
   */
  repeated?: boolean;
};

export type RunResult =
  | { ok: true; table: Table; ms: number }
  | { ok: false; error: string; ms: number; cancelled: boolean; at: ErrorPosition | null };

export class BrowserDuckDB {
  private db: Promise<AsyncDuckDB> | null = null;
  private loaded = new Map<string, string>(); // table name (lower case) → key of what it holds
  private files = new FileSources();
  private fileViews = new Map<string, string>(); // view name (lower case) → key, for files
  private goneFiles = new Set<string>(); // names of file tables dropped because the file is gone or renamed
  private running = new Map<string, AsyncDuckDBConnection>(); // cell id → its connection while it runs
  private cancelled = new Set<string>();
  private adopted = new Map<string, { key: string; table: Table }>(); // results computed elsewhere, by name
  private kept = new KeptStatements(); // connections and statements of runs with `repeated`

  /** Whether a query has asked for the engine: the warm-up then gives way. */
  private asked = false;

  private instance(forQuery = true): Promise<AsyncDuckDB> {
    if (forQuery) this.asked = true;
    if (!this.db) {
      const db = loadDuckDB();
      db.then((d) => warmUp(d, () => !this.asked)).catch(() => undefined);
      // A failed start (a network blip) is tried again by the next query rather than remembered.
      db.catch(() => {
        if (this.db === db) this.db = null;
      });
      this.db = db;
    }
    return this.db;
  }

  /**
   * Starts the engine ahead of the first query: downloading, compiling and opening DuckDB-WASM takes a second or
   * more. A failure is not reported here; the query that needs the engine starts it again and says what went wrong.
   */
  start(): void {
    this.instance(false).catch(() => undefined);
  }

  private loading: Promise<unknown> = Promise.resolve();

  /**
   * Loads the sources `sql` mentions that are missing or out of date. One load at a time: charts and cells
   * that start together must not fetch and create the same table twice.
   */
  private ensure(
    db: AsyncDuckDB,
    conn: AsyncDuckDBConnection,
    sql: string,
    sources: TableSource[],
    params: BoundValue[] = []
  ) {
    const next = this.loading.then(() => this.load(db, conn, sql, sources, params));
    this.loading = next.catch(() => undefined);
    return next;
  }

  private async load(
    db: AsyncDuckDB,
    conn: AsyncDuckDBConnection,
    sql: string,
    sources: TableSource[],
    params: BoundValue[]
  ) {
    const names = referencedNames(sql);
    const current = new Map(
      sources.filter((s) => s.kind === 'file').map((s) => [s.name.toLowerCase(), s.key])
    );
    // Whether any table is created, replaced or dropped here: statements prepared before it ended (those prepared
    // meanwhile too) are then prepared again.
    let changed = false;
    try {
      for (const [name, key] of this.fileViews) {
        if (current.get(name) === key) continue;
        changed = true;
        await dropName(conn, name);
        this.fileViews.delete(name);
        if (!current.has(name)) this.goneFiles.add(name);
      }
      const fileIds = new Set(sources.flatMap((s) => (s.kind === 'file' ? [s.fileId] : [])));
      if (await this.files.forget(conn, fileIds)) changed = true;
      const files: Extract<TableSource, { kind: 'file' }>[] = [];
      for (const s of sources) {
        const lower = s.name.toLowerCase();
        if (!names.has(lower)) continue;
        if (s.kind === 'file') {
          // A file is prepared for every query: each may need other columns or rows of it, unless nothing of it is
          // left to load and its view still stands (planning a dashboard's re-run cost more than running it).
          const current = this.fileViews.get(lower) === s.key;
          if (current && this.files.isComplete(s)) continue;
          if (!current) await dropName(conn, s.name);
          files.push(s);
          continue;
        }
        if (this.loaded.get(lower) === s.key) continue;
        changed = true;
        const adopted = this.adopted.get(lower);
        if (adopted?.key === s.key) await this.loadTable(conn, s.name, adopted.table);
        else await this.fetchResult(db, conn, s);
        this.adopted.delete(lower);
        this.loaded.set(lower, s.key);
      }
      // Files last: what a query needs of them comes from its plan, which needs every other table in place.
      if (files.length) {
        changed = true;
        await this.files.prepare(db, conn, sql, files, params);
      }
      for (const f of files) {
        this.fileViews.set(f.name.toLowerCase(), f.key);
        this.goneFiles.delete(f.name.toLowerCase());
        this.loaded.set(f.name.toLowerCase(), f.key);
      }
    } finally {
      if (changed) this.kept.tablesChanged();
    }
  }

  private async fetchResult(
    db: AsyncDuckDB,
    conn: AsyncDuckDBConnection,
    s: Extract<TableSource, { kind: 'result' }>
  ) {
    const bytes = await resultBytes(s.url, `The stored result of "${s.name}"`).catch((e: Error) => {
      throw new Error(`${e.message} Run that cell first.`);
    });
    await this.loadArrow(db, conn, s.name, bytes);
  }

  private async loadArrow(db: AsyncDuckDB, conn: AsyncDuckDBConnection, name: string, ipc: Uint8Array) {
    // The bytes are handed (transferred) to the worker: whatever is passed to DuckDB-WASM first is detached,
    // and an empty buffer inserts nothing without an error. So they go straight to the insert.
    await replaceTable(conn, name, (staging) =>
      conn.insertArrowFromIPCStream(ipc, { name: staging, create: true })
    );
  }

  /**
   * A result computed elsewhere (on a connected database) becomes table `name` for later local queries. It is
   * loaded into DuckDB when a query first reads it, so a notebook of connection cells never starts the engine.
   */
  adopt(name: string, key: string, table: Table): void {
    this.adopted.set(name.toLowerCase(), { key, table });
  }

  private async loadTable(conn: AsyncDuckDBConnection, name: string, table: Table) {
    await replaceTable(conn, name, async (staging) => {
      if (table.numRows > 0) await conn.insertArrowTable(table, { name: staging, create: true });
      else {
        const cols = table.schema.fields.map((f) => `null::varchar as ${ident(f.name)}`).join(', ');
        await conn.query(`create table ${ident(staging)} as select ${cols || '1 as empty'} limit 0`);
      }
    });
  }

  /**
   * Runs a cell's query and keeps its result as table `name`, known by `key`. With `inputs`, the query's
   * `{{name}}` references are bound as prepared-statement parameters (cells/sql/parameters.ts).
   */
  async run(
    cellId: string,
    name: string,
    key: string,
    sql: string,
    sources: TableSource[],
    inputs?: InputValues,
    { keep = 'now', repeated = false }: RunOptions = {}
  ): Promise<RunResult> {
    const started = performance.now();
    const written = cleanQuery(sql);
    if (!written) return { ok: false, error: 'Write a query first.', ms: 0, cancelled: false, at: null };
    let compiled;
    try {
      compiled = inputs ? compileParameters(written, 'duckdb', inputs) : null;
    } catch (e) {
      if (!(e instanceof ParameterError)) throw e;
      const at = { offset: e.position - 1, message: e.message };
      return { ok: false, error: e.message, ms: 0, cancelled: false, at };
    }
    const query = compiled?.sql ?? written;
    const params = compiled?.params ?? [];
    this.cancelled.delete(cellId);
    const db = await this.instance();
    watchRoundTrips(db);
    const conn = repeated ? await this.kept.connection(db, cellId) : await db.connect();
    this.running.set(cellId, conn);
    try {
      await traced('run: load tables', () => this.ensure(db, conn, query, sources, params));
      // A cancel that came while the engine loaded or tables were fetched: nothing was sent to cancel.
      if (this.cancelled.has(cellId)) throw new Error('Cancelled.');
      // The query itself only reads, so cancelling it mid-way leaves no half-made table behind (a cancelled
      // CREATE TABLE … AS keeps its catalog entry locked in DuckDB-WASM). The result replaces table `name` only
      // once it is complete.
      const queryStarted = performance.now();
      const table = repeated
        ? await this.runKept(db, cellId, conn, query, params)
        : await this.send(cellId, conn, query, params);
      record('run: query', performance.now() - queryStarted);
      if (keep === 'later' && table.numRows > 0) {
        this.adopt(name, key, table);
        return { ok: true, table, ms: performance.now() - started };
      }
      await traced('run: keep result', () =>
        replaceTable(conn, name, async (staging) => {
          if (table.numRows > 0) await conn.insertArrowTable(table, { name: staging, create: true });
          else {
            const empty = `create table ${ident(staging)} as select * from (\n${query}\n) limit 0`;
            if (params.length) await withPrepared(conn, empty, (s) => s.query(...params));
            else await conn.query(empty);
          }
        })
      );
      this.loaded.set(name.toLowerCase(), key);
      return { ok: true, table, ms: performance.now() - started };
    } catch (e) {
      const cancelled = this.cancelled.has(cellId);
      const failure = cancelled ? null : engineFailure(readableError(e));
      if (failure?.restart) await this.restart();
      const message = failure?.message ?? readableError(e);
      const found = cancelled || failure ? null : errorPosition(message, query);
      const at = found && compiled ? { ...found, offset: compiled.sourceOffset(found.offset) } : found;
      const missing = /Table with name (\S+) does not exist/i.exec(message)?.[1]?.toLowerCase();
      const gone =
        missing && this.goneFiles.has(missing)
          ? `\n\n${missing} was an uploaded file that has been deleted or renamed; see the Files panel.`
          : '';
      return {
        ok: false,
        error: cancelled ? 'Cancelled.' : (at ? at.message : message) + gone,
        ms: performance.now() - started,
        cancelled,
        at
      };
    } finally {
      this.running.delete(cellId);
      if (!repeated) await conn.close().catch(() => undefined);
    }
  }

  /** The query's result read batch by batch, so that a cancel stops it between two. */
  private async send(cellId: string, conn: AsyncDuckDBConnection, query: string, params: BoundValue[]) {
    // A prepared statement stays open until its result has been read.
    const statement = params.length ? await conn.prepare(query) : null;
    const batches = [];
    let reader;
    try {
      reader = statement ? await statement.send(...params) : await conn.send(query, true);
      for await (const batch of reader) {
        if (this.cancelled.has(cellId)) throw new Error('Cancelled.');
        batches.push(batch);
      }
    } finally {
      await statement?.close().catch(() => undefined);
    }
    return new Table(reader.schema, batches);
  }

  /**
   * The query's whole result in one message, on the cell's kept connection with its statement kept prepared
   * (kept-statements.ts). A kept statement that fails is prepared once more before the failure counts: DuckDB may
   * refuse one whose tables changed under it.
   */
  private async runKept(
    db: AsyncDuckDB,
    cellId: string,
    conn: AsyncDuckDBConnection,
    query: string,
    params: BoundValue[]
  ): Promise<Table> {
    if (!params.length) return conn.query(query);
    for (;;) {
      const { statement, fresh } = await this.kept.statement(db, cellId, query);
      try {
        return await statement.query(...params);
      } catch (e) {
        this.kept.drop(cellId, query);
        if (fresh) throw e;
      }
    }
  }

  /**
   * A read-only query over the same tables (files, results), for things that only look at results, like charts.
   * Nothing is created or replaced.
   */
  async query(sql: string, sources: TableSource[]): Promise<Table> {
    const db = await this.instance();
    watchRoundTrips(db);
    const conn = await db.connect();
    try {
      await traced('read: load tables', () => this.ensure(db, conn, sql, sources));
      return await traced('read: query', () => conn.query(sql));
    } catch (e) {
      const failure = engineFailure(readableError(e));
      if (failure?.restart) await this.restart();
      throw failure ? new Error(failure.message) : e;
    } finally {
      await conn.close().catch(() => undefined);
    }
  }

  /** After the engine trapped: a new one, with nothing loaded (tables are loaded again when queries need them). */
  private async restart(): Promise<void> {
    const db = this.db;
    this.db = null;
    this.kept.clear(false);
    this.loaded.clear();
    this.fileViews.clear();
    this.files = new FileSources();
    this.loading = Promise.resolve();
    if (db) await (await db).terminate().catch(() => undefined);
  }

  /** Cancels the cell's run, whether its query is executing or it is still preparing. */
  async cancel(cellId: string): Promise<void> {
    this.cancelled.add(cellId);
    // The worker handles messages in order: a cancel that arrives before the query has started finds nothing
    // to cancel. Repeat it until the run ends.
    for (let conn = this.running.get(cellId); conn; conn = this.running.get(cellId)) {
      await conn.cancelSent();
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async destroy(): Promise<void> {
    const db = this.db;
    this.db = null;
    this.kept.clear(false);
    if (db) await (await db.catch(() => null))?.terminate();
  }
}
