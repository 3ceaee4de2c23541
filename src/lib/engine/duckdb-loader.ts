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
  const worker = new Worker(workerUrl(absolute(bundle.mainWorker!)));
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(absolute(bundle.mainModule), bundle.pthreadWorker);
  performance.mark('sheaf:engine:instantiated');
  await warmUp(db);
  performance.mark('sheaf:engine:ready');
  return db;
}

const absolute = (url: string) => new URL(url, location.href).href;

/**
 * The worker DuckDB-WASM ships, started so that the browser can keep the compiled engine. To report download
 * progress, its worker hands `WebAssembly.instantiateStreaming` a Response it builds around the download; such a
 * Response has no URL and no HTTP cache entry, so Chromium never stores the compiled code (V8's wasm code cache)
 * and compiles the 36 MB module again on every visit. Without TransformStream the worker takes its other path,
 * `instantiateStreaming(fetch(url))`: streaming compilation of the real response, whose compiled code the browser
 * can cache beside the immutable .wasm. Nothing else in the worker uses TransformStream; the progress it would have
 * reported is not listened to. A blob: worker (allowed by the CSP's worker-src) needs absolute URLs.
 */
function workerUrl(duckdbWorker: string): string {
  const source = `"use strict";
const warn = console.warn.bind(console);
console.warn = (...args) => {
  if (!String(args[0]).startsWith('instantiating without progress handler')) warn(...args);
};
self.TransformStream = undefined;
importScripts(${JSON.stringify(duckdbWorker)});
`;
  return URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
}

/**
 * Opens the database and runs the kinds of statement a first run needs (create from Arrow, the catalog lookups,
 * EXPLAIN, an aggregate), so that their code is compiled before someone presses Run rather than after. WebAssembly
 * functions are compiled on first call; the first query otherwise pays for it.
 */
async function warmUp(db: AsyncDuckDB): Promise<void> {
  const { tableFromArrays } = await import('apache-arrow');
  const conn = await db.connect();
  try {
    await conn.insertArrowTable(
      tableFromArrays({ k: Int32Array.from([1, 2, 3]), v: Float64Array.from([0.5, 1.5, 2.5]) }),
      { name: '__sheaf_warm_up', create: true }
    );
    await conn.query(
      `select table_type from information_schema.tables
        where table_schema = 'main' and table_catalog = current_database() and lower(table_name) = '__sheaf_warm_up'`
    );
    const aggregate = `select k % 2 as g, avg(v) as a, count(*) as n from __sheaf_warm_up where v > 0 group by 1 order by 1`;
    await conn.query(`explain ${aggregate}`);
    await conn.query(aggregate);
    await conn.query('drop table __sheaf_warm_up');
  } finally {
    await conn.close();
  }
}
