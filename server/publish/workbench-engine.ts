// The native DuckDB of one dashboard refresh, sandboxed like file connections (see connectors/duckdb/sandbox.ts):
// the workspace's uploaded files are views over their Parquet, results of earlier cells become tables, then file
// access is switched off and the configuration locked. The author's SQL runs here, so it can read those files
// and nothing else on the server (no read_csv('/etc/passwd'), no COPY TO, no ATTACH, no extensions). It runs
// only in the workbench child process (workbench-process.ts): DuckDB can still crash or outgrow any limit on
// hostile SQL, and must take nothing but that process down with it.
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Table, type RecordBatch } from 'apache-arrow';
import type { BoundValue } from '../../cells/sql/parameters';
import { ident, literal } from '../../cells/sql/quote';
import { resultBatches } from '../connectors/duckdb/result-batches';
import { lockDown } from '../connectors/duckdb/sandbox';
import { withoutTrailingSemicolons } from '../connectors/sql-shape';
import { appendArrow } from '../results/append-arrow';
import { runAnswers, type AnswerFile, type AnswerGroup, type AnswerLimits } from './answers-run';
import { exportParquet, type ExportResult } from './table-export';

export type { AnswerFile, AnswerGroup, AnswerLimits };

export type FileView = { tableName: string; path: string };
export type ColumnInfo = { name: string; type: string };
/** A re-run cell as the binding check runs it: its SQL with `{{name}}` compiled, and the values at publish. */
export type ReplayCheck = { name: string; sql: string; params: BoundValue[] };
/** An empty table in a cell's place for that check (a connection cell's result, which viewers get from the server). */
export type StandIn = { name: string; columns: ColumnInfo[] };

/** Rows a query may hand back to the snapshot code (charts aggregate or sample far below this). */
const QUERY_ROW_CAP = 1_000_000;

export type Workbench = {
  /**
   * Runs a cell's SQL into a table named after the cell (replacing a file of that name, as in the notebook),
   * binding `params` to its `$1, $2…` (compiled from `{{name}}` references, cells/sql/parameters.ts).
   */
  runInto(name: string, sql: string, params?: BoundValue[]): Promise<void>;
  /** A result computed elsewhere (a connection) as a table named after its cell. */
  load(name: string, table: Table): Promise<void>;
  /** Our own read queries over those tables, as Arrow (128-bit sums as doubles: they are drawn and shown). */
  query(sql: string): Promise<Table>;
  /** Every table and view the SQL can read (files and results), with their columns. */
  tableColumns(): Promise<{ name: string; columns: ColumnInfo[] }[]>;
  /** `columns` of table `name` written as Parquet to `file` inside `dir` (table-export.ts). */
  exportParquet(name: string, columns: string[], dir: string, file: string): Promise<ExportResult>;
  /**
   * Whether `cells` (in order) bind over `tables` (Parquet files) in a fresh locked-down DuckDB holding nothing
   * else, as a viewer's browser would have them: null when they do, else DuckDB's message.
   */
  checkReplay(tables: FileView[], cells: ReplayCheck[], standIns?: StandIn[]): Promise<string | null>;
  /**
   * Precomputed answers (precompute.ts): each group's cells run in order for each choice over `tables` in a fresh
   * locked-down DuckDB, as checkReplay's, and the results marked `keep` written into the choice's file in `dir`;
   * the files written.
   */
  precompute(
    tables: FileView[],
    groups: AnswerGroup[],
    dir: string,
    limits: AnswerLimits
  ): Promise<AnswerFile[]>;
  close(): void;
};

/** `standIns`: empty tables made before any SQL runs (the binding check's connection results). */
export async function openEngine(
  files: FileView[],
  timeoutS: number,
  standIns: StandIn[] = []
): Promise<Workbench> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  let conn: DuckDBConnection;
  try {
    conn = await instance.connect();
  } catch (e) {
    instance.closeSync();
    throw e;
  }
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    conn.closeSync();
    instance.closeSync();
  };
  try {
    await lockDown(
      conn,
      files.map((f) => f.path)
    );
    for (const f of files)
      await conn.run(`create view ${ident(f.tableName)} as select * from read_parquet(${literal(f.path)})`);
    // The types are DuckDB's own spelling of the refresh's columns (information_schema), quoted by it.
    for (const t of standIns)
      await conn.run(
        `create table ${ident(t.name)} (${t.columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ') || 'x int'})`
      );
  } catch (e) {
    close();
    throw e;
  }

  /** Runs `work`, interrupting DuckDB when it takes longer than the refresh's limit per statement. */
  async function limited<T>(work: () => Promise<T>): Promise<T> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      conn.interrupt();
    }, timeoutS * 1000);
    try {
      return await work();
    } catch (e) {
      if (timedOut) throw new Error(`The query ran longer than ${timeoutS} s and was stopped.`, { cause: e });
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A cell's result takes the place of a file (a view) or an earlier result (a table) of the same name. */
  async function replaceName(name: string) {
    const found = await conn.runAndReadAll(
      `select 'view' from duckdb_views() where view_name = ${literal(name)} and not internal
       union all select 'table' from duckdb_tables() where table_name = ${literal(name)}`
    );
    for (const [kind] of found.getRows()) await conn.run(`drop ${String(kind)} if exists ${ident(name)}`);
  }

  return {
    async runInto(name, sql, params = []) {
      const text = withoutTrailingSemicolons(sql);
      if (!text.trim()) throw new Error('The cell has no SQL.');
      // One statement: the wrapper below must not be closed early to run others after it.
      if ((await conn.extractStatements(text)).count !== 1)
        throw new Error('A dashboard query must be a single statement.');
      await replaceName(name);
      const create = `create table ${ident(name)} as (${text}\n)`;
      // Bound as a prepared statement's values: a value is never part of the SQL text.
      await limited(() => (params.length ? conn.run(create, params) : conn.run(create)));
    },
    async load(name, table) {
      await replaceName(name);
      await appendArrow(conn, name, table);
    },
    async query(sql) {
      const batches: RecordBatch[] = [];
      await limited(async () =>
        resultBatches(
          await conn.stream(sql),
          QUERY_ROW_CAP,
          {
            batch: async (b) => void batches.push(b)
          },
          'float64'
        )
      );
      return new Table(batches);
    },
    async tableColumns() {
      const read = await conn.runAndReadAll(
        `select table_name, column_name, data_type from information_schema.columns
          where table_schema = 'main' order by table_name, ordinal_position`
      );
      const out = new Map<string, ColumnInfo[]>();
      for (const [table, column, type] of read.getRows()) {
        const key = String(table);
        out.set(key, [...(out.get(key) ?? []), { name: String(column), type: String(type) }]);
      }
      return [...out].map(([name, columns]) => ({ name, columns }));
    },
    exportParquet: (name, columns, dir, file) =>
      limited(() => exportParquet(conn, name, columns, dir, path.join(dir, file))),
    async checkReplay(tables, cells, standIns = []) {
      const check = await openEngine(tables, timeoutS, standIns);
      try {
        for (const cell of cells) {
          // No rows: binding is the question (the refresh ran these over all the data already).
          const text = withoutTrailingSemicolons(cell.sql);
          await check.runInto(cell.name, `select * from (\n${text}\n) limit 0`, cell.params);
        }
        return null;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      } finally {
        check.close();
      }
    },
    async precompute(tables, groups, dir, limits) {
      // Within a third of the call's time limit, each statement too: past the budget at most one statement runs
      // to its own limit (the deadline is checked before each), so the server never kills the child over answers
      // that are only a speed-up.
      const seconds = Math.max(1, Math.min(timeoutS / 3, limits.budgetMs / 1000));
      const engine = await openEngine(tables, seconds);
      try {
        return await runAnswers(engine, groups, dir, { ...limits, budgetMs: seconds * 1000 });
      } finally {
        engine.close();
      }
    },
    close
  };
}
