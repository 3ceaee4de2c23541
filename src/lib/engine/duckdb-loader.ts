// Loads DuckDB-WASM from the app's own bundles (no CDN). Browser only; imported lazily so pages that never run
// SQL never download the engine.
import type { AsyncDuckDB } from '@duckdb/duckdb-wasm';

export async function loadDuckDB(): Promise<AsyncDuckDB> {
  // Marks for the browser's performance timeline (and bench:first-run): how long starting the engine takes.
  performance.mark('sheaf:engine:start');
  const [duckdb, mvpWasm, mvpWorker, ehWasm, ehWorker] = await Promise.all([
    import('@duckdb/duckdb-wasm'),
    import('@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url'),
    import('@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url'),
    import('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url'),
    import('@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url')
  ]);
  const bundle = await duckdb.selectBundle({
    mvp: { mainModule: mvpWasm.default, mainWorker: mvpWorker.default },
    eh: { mainModule: ehWasm.default, mainWorker: ehWorker.default }
  });
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), new Worker(bundle.mainWorker!));
  await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
  performance.mark('sheaf:engine:ready');
  return db;
}
