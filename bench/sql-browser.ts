// Runs SQL in DuckDB-WASM inside headless Chromium, over data files served with range requests: the browser half
// of bench:sql.
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
          await w.benchDb.registerFileURL(
            fileName,
            `${location.origin}/data/${fileName}`,
            w.benchDuck.DuckDBDataProtocol.HTTP,
            false
          );
          await w.benchConn.query(`attach '${fileName}' as ${alias} (read_only)`);
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
