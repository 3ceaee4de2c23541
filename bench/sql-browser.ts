// Runs SQL in DuckDB-WASM inside headless Chromium, over data files served with range requests: the browser half
// of bench:sql.
import type { ReadMode } from '../src/lib/engine/file-sources';
import { openBenchPage } from './browser-page';

export type BrowserDuckDB = {
  /** Runs `sql` and returns the elapsed milliseconds measured in the page, and the first row as JSON. */
  run(sql: string): Promise<{ ms: number; first: string }>;
  attach(fileName: string, alias: string): Promise<number>;
  /**
   * Runs `sql` the way a Sheaf notebook does: table `table` is the uploaded file `<fileId>.parquet`, of which
   * only what the query needs is fetched (src/lib/engine/file-sources.ts). Returns the time to prepare and run,
   * and the bytes fetched for it.
   */
  sheaf(
    sql: string,
    file: { table: string; fileId: string; columns: { name: string; type: string }[] }
  ): Promise<{ ms: number; first: string; bytes: number }>;
  /**
   * The first run of `sql` in a notebook that has not read the file yet: a new DuckDB-WASM (its start is not timed)
   * and a new FileSources that reads as `mode` says (the app's choice, or one way forced). Returns the time to
   * prepare and run, the bytes fetched, and whether the file was read from its whole DuckDB copy.
   */
  cold(
    sql: string,
    file: { table: string; fileId: string; columns: { name: string; type: string }[] },
    mode: ReadMode
  ): Promise<{ ms: number; first: string; bytes: number; whole: boolean }>;
  close(): Promise<void>;
};

export async function startBrowserDuckDB(dataDir: string): Promise<BrowserDuckDB> {
  const { page, close, servedBytes } = await openBenchPage(
    "export * from '@duckdb/duckdb-wasm';\nexport { FileSources } from '$lib/engine/file-sources';\n",
    dataDir
  );
  await page.evaluate(async () => {
    const duckdb = await import(/* @vite-ignore */ '/bundle/entry.js' as string);
    const db = new duckdb.AsyncDuckDB(
      new duckdb.VoidLogger(),
      new Worker('/dist/duckdb-browser-eh.worker.js')
    );
    await db.instantiate('/dist/duckdb-eh.wasm');
    const conn = await db.connect();
    Object.assign(window, {
      benchDb: db,
      benchConn: conn,
      benchDuck: duckdb,
      benchFiles: new duckdb.FileSources()
    });
  });
  return {
    async attach(fileName, alias) {
      return page.evaluate(
        async ([fileName, alias]) => {
          const w = window as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- page globals set above
          const t0 = performance.now();
          // Not under the name Sheaf's own file code gives the same copy (`<fileId>.duckdb`) in this instance.
          await w.benchDb.registerFileURL(
            `bench-${fileName}`,
            `${location.origin}/data/${fileName}`,
            w.benchDuck.DuckDBDataProtocol.HTTP,
            false
          );
          await w.benchConn.query(`attach 'bench-${fileName}' as ${alias} (read_only)`);
          await w.benchConn.query(`select count(*) from ${alias}.data`);
          return performance.now() - t0;
        },
        [fileName, alias]
      );
    },
    async sheaf(sql, file) {
      const before = servedBytes();
      const r = await page.evaluate(
        async ([sql, file]) => {
          const w = window as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- page globals set above
          const t0 = performance.now();
          await w.benchFiles.prepare(w.benchDb, w.benchConn, sql, [
            { name: file.table, fileId: file.fileId, columns: file.columns }
          ]);
          const table = await w.benchConn.query(sql);
          const ms = performance.now() - t0;
          const row = table.get(0)?.toJSON() ?? {};
          return { ms, first: JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) };
        },
        [sql, file] as const
      );
      return { ...r, bytes: servedBytes() - before };
    },
    async cold(sql, file, mode) {
      const before = servedBytes();
      const r = await page.evaluate(
        async ([sql, file, mode]) => {
          const w = window as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- page globals set above
          const duckdb = w.benchDuck;
          const db = new duckdb.AsyncDuckDB(
            new duckdb.VoidLogger(),
            new Worker('/dist/duckdb-browser-eh.worker.js')
          );
          await db.instantiate('/dist/duckdb-eh.wasm');
          const conn = await db.connect();
          const files = new duckdb.FileSources(mode);
          try {
            const t0 = performance.now();
            await files.prepare(db, conn, sql, [
              { name: file.table, fileId: file.fileId, columns: file.columns }
            ]);
            const table = await conn.query(sql);
            const ms = performance.now() - t0;
            const row = table.get(0)?.toJSON() ?? {};
            return {
              ms,
              whole: files.readsWhole(file.fileId) as boolean,
              first: JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))
            };
          } finally {
            await db.terminate();
          }
        },
        [sql, file, mode] as const
      );
      return { ...r, bytes: servedBytes() - before };
    },
    async run(sql) {
      return page.evaluate(async (sql) => {
        const w = window as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- page globals set above
        const t0 = performance.now();
        const table = await w.benchConn.query(sql);
        const ms = performance.now() - t0;
        const row = table.get(0)?.toJSON() ?? {};
        return { ms, first: JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) };
      }, sql);
    },
    close
  };
}
