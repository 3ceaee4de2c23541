// Runs SQL in DuckDB-WASM inside headless Chromium, over data files served with range requests: the browser half
// of bench:sql.
import { openBenchPage } from './browser-page';

export type BrowserDuckDB = {
  /** Runs `sql` and returns the elapsed milliseconds measured in the page, and the first row as JSON. */
  run(sql: string): Promise<{ ms: number; first: string }>;
  attach(fileName: string, alias: string): Promise<number>;
  close(): Promise<void>;
};

export async function startBrowserDuckDB(dataDir: string): Promise<BrowserDuckDB> {
  const { page, close } = await openBenchPage("export * from '@duckdb/duckdb-wasm';\n", dataDir);
  await page.evaluate(async () => {
    const duckdb = await import(/* @vite-ignore */ '/bundle/entry.js' as string);
    const db = new duckdb.AsyncDuckDB(
      new duckdb.VoidLogger(),
      new Worker('/dist/duckdb-browser-eh.worker.js')
    );
    await db.instantiate('/dist/duckdb-eh.wasm');
    const conn = await db.connect();
    Object.assign(window, { benchDb: db, benchConn: conn, benchDuck: duckdb });
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
