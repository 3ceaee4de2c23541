// The browser half of bench:chart, bundled by esbuild: Sheaf's own chart code (chartData, drawChart) over a
// table in DuckDB-WASM, timed from "draw this chart" to the chart painted.
import * as duckdb from '@duckdb/duckdb-wasm';
import type { Table } from 'apache-arrow';
import { chartData } from '$cells/chart/chart-data';
import { tableRows } from '$cells/chart/arrow-rows';
import { drawChart } from '$lib/charts/render';
import { buildSpec } from '$cells/chart/spec';
import { withData } from '$cells/chart/validate';

let conn: duckdb.AsyncDuckDBConnection;
const query = (sql: string): Promise<Table> => conn.query(sql) as unknown as Promise<Table>;

export async function setup(rows: number): Promise<void> {
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), new Worker('/dist/duckdb-browser-eh.worker.js'));
  await db.instantiate('/dist/duckdb-eh.wasm');
  conn = await db.connect();
  await conn.query(`create table T as
    select (random() * 1000 + random() * 500)::double as amount, 'region_' || (range % 20) as region
    from range(${rows})`);
}

const SPEC = buildSpec({
  mode: 'builder',
  source: 'T',
  mark: 'histogram',
  x: { field: 'amount', type: 'quantitative' }
});

const painted = () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));

async function timed(make: () => Promise<{ rows: object[]; spec: object }>) {
  document.body.replaceChildren();
  const el = document.createElement('div');
  document.body.appendChild(el);
  const t0 = performance.now();
  const { rows, spec } = await make();
  const chart = await drawChart(el, withData(spec as Record<string, unknown>, rows));
  await painted();
  const ms = performance.now() - t0;
  const bars = el.querySelectorAll('[aria-roledescription="bar"]').length;
  chart.finalize();
  return { ms, bars, rowsToVega: rows.length };
}

/** Sheaf's path: the histogram's binning done in DuckDB, Vega given the bins. */
export function aggregated() {
  return timed(async () => {
    const data = await chartData(SPEC, 'T', query);
    return { rows: data.rows, spec: data.spec };
  });
}

/** The baseline: the first `limit` raw rows handed to Vega, which bins them itself. */
export function raw(limit: number) {
  return timed(async () => ({ rows: tableRows(await query(`select * from T limit ${limit}`)), spec: SPEC }));
}
