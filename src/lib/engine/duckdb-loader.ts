// Loads DuckDB-WASM from the app's own bundles (no CDN). Browser only; imported lazily so pages that never run
// SQL never download the engine.
import type { AsyncDuckDB } from '@duckdb/duckdb-wasm';
import { ENGINE_SCRIPT, type StartedEngine } from './engine-assets';

export async function loadDuckDB(): Promise<AsyncDuckDB> {
  // Marks for the browser's performance timeline (and bench:first-run): how long starting the engine takes.
  performance.mark('sheaf:engine:start');
  const [duckdb, started] = await Promise.all([import('@duckdb/duckdb-wasm'), takeStartedEngine()]);
  performance.mark('sheaf:engine:loaded');
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), started.worker);
  performance.mark('sheaf:engine:worker');
  try {
    await db.instantiate(started.wasm, null);
  } catch (e) {
    await db.terminate().catch(() => undefined);
    throw e;
  }
  performance.mark('sheaf:engine:instantiated');
  await warmUp(db);
  performance.mark('sheaf:engine:ready');
  return db;
}

/**
 * The worker engine-prestart.js starts (already, if a page linked it; else now), taken so that nothing else uses
 * it: that script is the only maker of the engine's worker.
 */
async function takeStartedEngine(): Promise<StartedEngine> {
  if (!window.__sheafEngine) {
    const script = document.createElement('script');
    script.src = ENGINE_SCRIPT.src;
    Object.assign(script.dataset, ENGINE_SCRIPT.data);
    await new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = () => reject(new Error('The SQL engine could not be loaded. Check your connection.'));
      document.head.append(script);
    });
    script.remove();
  }
  const started = window.__sheafEngine;
  delete window.__sheafEngine;
  if (!started) throw new Error('The SQL engine could not be started.');
  return started;
}

/**
 * Opens the database and runs the kinds of statement a first run needs (create from Arrow, the catalog lookups,
 * EXPLAIN, an aggregate), so that their code is compiled before someone presses Run rather than after. WebAssembly
 * functions are compiled on first call; the first query otherwise pays for it.
 */
async function warmUp(db: AsyncDuckDB): Promise<void> {
  const { tableFromArrays } = await import('apache-arrow');
  const conn = await db.connect();
  performance.mark('sheaf:engine:opened');
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
