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
  // The first connection opens the database.
  await (await db.connect()).close();
  performance.mark('sheaf:engine:opened');
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
 * Runs the kinds of statement a first run needs (create from Arrow, the catalog lookups, EXPLAIN, an aggregate), so
 * that their code is compiled before someone presses Run rather than after: WebAssembly functions are compiled on
 * first call, and the first query otherwise pays for it. Only while nothing else wants the engine (`idle`): the
 * worker runs statements one at a time, so a query sent meanwhile would wait behind the whole warm-up, which saves
 * it nothing it would not compile itself. Checked before each statement; the table made is always dropped.
 */
export async function warmUp(db: AsyncDuckDB, idle: () => boolean): Promise<void> {
  if (!idle()) return;
  const { tableFromArrays } = await import('apache-arrow');
  if (!idle()) return;
  const conn = await db.connect();
  let created = false;
  try {
    const aggregate = `select k % 2 as g, avg(v) as a, count(*) as n from __sheaf_warm_up where v > 0 group by 1 order by 1`;
    const steps = [
      async () => {
        await conn.insertArrowTable(
          tableFromArrays({ k: Int32Array.from([1, 2, 3]), v: Float64Array.from([0.5, 1.5, 2.5]) }),
          { name: '__sheaf_warm_up', create: true }
        );
        created = true;
      },
      () =>
        conn.query(
          `select table_type from information_schema.tables
            where table_schema = 'main' and table_catalog = current_database() and lower(table_name) = '__sheaf_warm_up'`
        ),
      () => conn.query(`explain ${aggregate}`),
      () => conn.query(aggregate)
    ];
    for (const step of steps) {
      if (!idle()) {
        performance.mark('sheaf:engine:warm-up-stopped');
        return;
      }
      await step();
    }
    performance.mark('sheaf:engine:warm');
  } finally {
    if (created) await conn.query('drop table __sheaf_warm_up').catch(() => undefined);
    await conn.close();
  }
}
