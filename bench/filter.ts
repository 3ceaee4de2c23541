// bench:filter — a viewer changing a filter on a published dashboard of 10 charts over a 1M-row file, recomputed in
// the viewer's browser (DuckDB-WASM over the snapshot's base table) against the same change answered by a server
// round trip per chart (server DuckDB), in one run.
//
// A deterministic file of --rows sales (category: 8 values, region, day, amount, qty) is generated with native
// DuckDB. Two notebooks with the same cells are published publicly: a dropdown input `cat` (the 8 categories,
// published at c0) on the grid, ten SQL cells that aggregate the file `where category = {{cat}}` and ten charts of
// them on the grid. In the "browser" notebook the SQL cells are local (the file uploaded, the browser re-runs them
// over the published base table); in the "server" notebook they run on a DuckDB file connection over the same
// Parquet (SERVER_DATA_DIR), so each chart's cell is re-run on the server through /d/<slug>/cells/<name>, with the
// cache off (LIVE_CELL_CACHE_MB=0) and the rate limit raised. The built app (server/index.ts; `npm run build` first
// if build/ is missing or stale) serves both; headless Chromium opens each logged out, in a context of its own, and picks
// --changes values in turn on each page (c1…c7, cycling; never the published value, which shows the snapshot),
// each after the last is painted. Each change is timed from the dropdown's input event to every chart repainted:
// all ten cards' Vega drawings swapped in (LiveChart replaces its canvas's child once the new drawing is done) while
// their card says data-state="live" and none says "updating", then one frame. One chart's bars must also carry the
// counts native DuckDB gives for the value (the new result drawn, not just any redraw).
// The browser's dashboard is opened twice: once with the page's result cache and the snapshot's precomputed
// answers off (src/lib/dashboard/result-cache.ts, precomputed-answers.ts; every change computed in DuckDB-WASM, the
// figure for inputs that cannot be precomputed: dates, numbers, text, big choice sets) and once as viewers get it
// (the dropdown's results for each choice were precomputed at publish, fetched once each; values seen before need
// nothing). It prints median and p95 for each, how many changes answers and the cache served, the ratio server ÷
// browser (computed every time), the first change (engine start and first reads in the browser) apart from the
// warm ones, and the target (browser p95 ≤ 300 ms).
// Also prints, per warm change in the browser, where the time went (src/lib/engine/trace.ts: planning, fetching
// pieces, queries, chart data, Vega drawing, each message to DuckDB-WASM's worker split into waiting behind others
// and being answered; phases overlap, so they may add up to more than the change took), how many messages went to
// the worker, by type, and the change's critical path (bench/filter-breakdown.ts). --browser-only skips the server
// page (for quick measurements while working on the browser's path; no ratio then).
// BENCH_CPU_PROF=<file> writes the main thread's CPU profile of the page that computes every change (warm changes).
// BENCH_TRACE=<file> writes a Chrome trace of warm changes 2 to 9 (all pages; tracing costs some CPU, so those
// changes run a little slower) and prints how long each of the computing page's threads was busy per change
// (bench/trace-threads.ts).
//   npm run bench:filter -- [--rows 1000000] [--changes 30] [--browser-only]
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { chromium, type Browser } from '@playwright/test';
import { orderedCells, type NewCell } from '../cells/document';
import { addToLayout, placeItem } from '../cells/layout';
import { literal } from '../cells/sql/quote';
import { secretBox } from '../server/connectors/secret-box';
import { createConnection } from '../server/connectors/store';
import { createNotebook } from '../server/notebooks/notebooks';
import { editStoredDoc } from '../tests/integration/helpers/edit-stored-doc';
import { CHROMIUM, CHROMIUM_ARGS, startBuiltApp, type BuiltApp } from './built-app';
import { printBreakdown, printSlowest } from './filter-breakdown';
import { printThreads, TRACE_CATEGORIES } from './trace-threads';
import { change, openViewer } from './filter-page';
import { watchQueryChildren } from './query-children';
import { BENCH_KEY, benchAccount, openBenchDb, publishPublicly, uploadSales } from './sales-dashboard';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    changes: { type: 'string', default: '30' },
    'browser-only': { type: 'boolean', default: false }
  }
});
const ROWS = Number(args.rows);
const CHANGES = Number(args.changes);
const BROWSER_ONLY = args['browser-only'];
const CHARTS = 10;
const TARGET_P95 = 300;
const CATEGORIES = Array.from({ length: 8 }, (_, i) => `c${i}`);
const PUBLISHED = CATEGORIES[0]!;
/** The values picked, in turn: every category but the published one. */
const PICKS = CATEGORIES.slice(1);

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;

const WHERE = 'where category = {{cat}}';
/** The ten queries and their charts; the first is the one checked against native DuckDB. */
const QUERIES: { sql: string; chart: Record<string, unknown> }[] = [
  {
    sql: `select region, count(*) as n from sales ${WHERE} group by 1 order by 1`,
    chart: { mark: 'bar', x: { field: 'region', type: 'nominal' }, y: { field: 'n', type: 'quantitative' } }
  },
  {
    sql: `select date_trunc('month', day) as month, sum(amount) as total from sales ${WHERE} group by 1 order by 1`,
    chart: {
      mark: 'line',
      x: { field: 'month', type: 'temporal' },
      y: { field: 'total', type: 'quantitative' }
    }
  },
  {
    sql: `select qty, count(*) as n from sales ${WHERE} group by 1 order by 1`,
    chart: { mark: 'bar', x: { field: 'qty', type: 'ordinal' }, y: { field: 'n', type: 'quantitative' } }
  },
  {
    sql: `select region, avg(amount) as mean_amount from sales ${WHERE} group by 1 order by 1`,
    chart: {
      mark: 'bar',
      x: { field: 'region', type: 'nominal' },
      y: { field: 'mean_amount', type: 'quantitative' }
    }
  },
  {
    sql: `select day, count(*) as orders from sales ${WHERE} group by 1 order by 1`,
    chart: {
      mark: 'line',
      x: { field: 'day', type: 'temporal' },
      y: { field: 'orders', type: 'quantitative' }
    }
  },
  {
    sql: `select floor(amount / 50) * 50 as bucket, count(*) as n from sales ${WHERE} group by 1 order by 1`,
    chart: { mark: 'bar', x: { field: 'bucket', type: 'ordinal' }, y: { field: 'n', type: 'quantitative' } }
  },
  {
    sql: `select dayofweek(day) as weekday, sum(qty) as items from sales ${WHERE} group by 1 order by 1`,
    chart: {
      mark: 'bar',
      x: { field: 'weekday', type: 'ordinal' },
      y: { field: 'items', type: 'quantitative' }
    }
  },
  {
    sql: `select date_trunc('month', day) as month, region, sum(amount) as total from sales ${WHERE} group by 1, 2 order by 1, 2`,
    chart: {
      mark: 'bar',
      x: { field: 'month', type: 'temporal' },
      y: { field: 'total', type: 'quantitative' },
      color: { field: 'region', type: 'nominal' }
    }
  },
  {
    sql: `select region, qty, count(*) as n from sales ${WHERE} group by 1, 2 order by 1, 2`,
    chart: {
      mark: 'rect',
      x: { field: 'region', type: 'nominal' },
      y: { field: 'qty', type: 'ordinal' },
      color: { field: 'n', type: 'quantitative' }
    }
  },
  {
    sql: `select date_trunc('week', day) as week, max(amount) as top from sales ${WHERE} group by 1 order by 1`,
    chart: { mark: 'area', x: { field: 'week', type: 'temporal' }, y: { field: 'top', type: 'quantitative' } }
  }
];

/** The notebook: the dropdown, the ten SQL cells (on `engine`, or local) and their charts. */
function cells(engine: string | null): NewCell[] {
  return [
    {
      kind: 'input',
      name: 'cat',
      config: { widget: 'dropdown', options: { from: 'list', values: CATEGORIES }, value: PUBLISHED }
    },
    ...QUERIES.map((q, i): NewCell => ({
      kind: 'sql',
      name: `q${i + 1}`,
      source: q.sql,
      ...(engine ? { config: { engine } } : {})
    })),
    ...QUERIES.map((q, i): NewCell => ({ kind: 'chart', config: { source: `q${i + 1}`, ...q.chart } }))
  ];
}

/** The generated file, the account, both notebooks published; their slugs. */
async function setUp(dataDir: string, serverDir: string, parquet: string) {
  const db = await openBenchDb(dataDir);
  try {
    const ann = await benchAccount(db);
    await uploadSales(db, dataDir, { userId: ann.user.id, workspaceId: ann.workspaceId }, parquet);
    const conn = await createConnection(db, secretBox(BENCH_KEY), {
      userId: ann.user.id,
      workspaceId: ann.workspaceId,
      input: { name: 'Sales file', kind: 'duckdb', path: path.relative(serverDir, parquet) }
    });
    const slugs: Record<'browser' | 'server', string> = { browser: '', server: '' };
    for (const where of BROWSER_ONLY ? (['browser'] as const) : (['browser', 'server'] as const)) {
      const nb = await createNotebook(
        db,
        ann.user.id,
        ann.workspaceId,
        { title: `Ten charts (${where})` },
        cells(where === 'server' ? conn.id : null)
      );
      await editStoredDoc(db, nb.id, (doc) => {
        let i = 0;
        for (const c of orderedCells(doc)) {
          if (c.kind === 'input') {
            addToLayout(doc, c, 'input');
            placeItem(doc, c.id, { x: 0, y: 0, w: 4, h: 2 });
          } else if (c.kind === 'chart') {
            addToLayout(doc, c);
            placeItem(doc, c.id, { x: (i % 2) * 6, y: 2 + Math.floor(i / 2) * 5, w: 6, h: 5 });
            i++;
          }
        }
      });
      const started = performance.now();
      const status = await publishPublicly(db, dataDir, ann.user.id, nb.id);
      slugs[where] = status.slug;
      console.log(`  published the ${where} notebook: ${(performance.now() - started).toFixed(0)} ms`);
    }
    return slugs;
  } finally {
    await db.close();
  }
}

const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-bench-filter-'));
const dataDir = path.join(dir, 'data');
// The server's file connections read from here; it may not be inside the app's data folder.
const serverDir = path.join(dir, 'server-files');
let app: BuiltApp | undefined;
let browser: Browser | undefined;
try {
  await mkdir(serverDir, { recursive: true });
  process.env.SERVER_DATA_DIR = serverDir;
  const parquet = path.join(serverDir, 'sales.parquet');
  const native = await (await DuckDBInstance.create(':memory:')).connect();
  await native.run(`copy (
      select i as id, 'c' || (hash(i) % ${CATEGORIES.length}) as category,
             (['north','south','east','west'])[1 + i % 4] as region,
             date '2024-01-01' + (i % 366)::int as day,
             round((i * 7919) % 100000 / 100.0, 2) as amount, 1 + (i % 9) as qty
        from range(${ROWS}) t(i)) to ${literal(parquet)} (format parquet)`);
  const expected = async (value: string) =>
    (
      await native.runAndReadAll(
        QUERIES[0]!.sql
          .replace('from sales', `from read_parquet(${literal(parquet)})`)
          .replace('{{cat}}', literal(value))
      )
    )
      .getRowObjectsJson()
      .map((r) => `region: ${String(r.region)}; n: ${String(r.n)}`);

  console.log(
    `bench:filter — ${CHARTS} charts over ${ROWS.toLocaleString('en-US')} rows (Parquet, ` +
      `${((await stat(parquet)).size / 1024 ** 2).toFixed(1)} MB), a dropdown changed ${CHANGES} times`
  );
  const slugs = await setUp(dataDir, serverDir, parquet);
  app = await startBuiltApp(dataDir, {
    seedDemo: false,
    env: {
      SERVER_DATA_DIR: serverDir,
      SECRET_KEY: Buffer.alloc(32).toString('base64'),
      // Every change is answered by a run on the server, never by its cache or a 429.
      LIVE_CELL_CACHE_MB: '0',
      LIVE_CELL_RATE_PER_MINUTE: '100000'
    }
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const browserUrl = `${app.origin}/d/${slugs.browser}`;
  // The same dashboard twice: every change computed (the page keeps no results), and as viewers get it.
  const computed = await openViewer(browser, browserUrl, 'computed', CHARTS, true);
  const cached = await openViewer(browser, browserUrl, 'cached', CHARTS);
  const onServer = BROWSER_ONLY
    ? null
    : await openViewer(browser, `${app.origin}/d/${slugs.server}`, 'server', CHARTS);
  const viewers = onServer ? [computed, cached, onServer] : [computed, cached];
  // BENCH_CPU_PROF=<file>: the main thread's CPU profile of the page that computes every change, over its warm
  // changes (open it in Chrome's DevTools).
  const profiling = process.env.BENCH_CPU_PROF
    ? await computed.page.context().newCDPSession(computed.page)
    : null;
  const tracing = process.env.BENCH_TRACE;
  let traced: Buffer | null = null;
  // The server's query processes started during each of the server page's changes.
  const children = watchQueryChildren(app.pid);
  const spawns: number[] = [];
  // Turns, so that the machine's load falls on all alike.
  for (let i = 0; i < CHANGES; i++) {
    const value = PICKS[i % PICKS.length]!;
    const want = await expected(value);
    if (tracing && i === 1) await browser.startTracing(undefined, { categories: TRACE_CATEGORIES });
    if (tracing && i === Math.min(9, CHANGES - 1)) traced = await browser.stopTracing();
    for (const v of viewers) {
      const before = children.seen();
      v.times.push(await change(v, value, want));
      if (v === onServer) spawns.push(children.seen() - before);
    }
    if (i === 0 && profiling) {
      await profiling.send('Profiler.enable');
      await profiling.send('Profiler.start');
    }
  }
  if (profiling) {
    const { profile } = await profiling.send('Profiler.stop');
    await writeFile(process.env.BENCH_CPU_PROF!, JSON.stringify(profile));
    console.log(`  wrote the main thread's CPU profile to ${process.env.BENCH_CPU_PROF}`);
  }
  if (tracing && traced) {
    await writeFile(tracing, traced);
    console.log(`  wrote a Chrome trace of warm changes to ${tracing}`);
  }
  const load = loadavg();
  children.stop();
  await browser.close();
  browser = undefined;

  // How many of the viewer's page's cards came from precomputed answers or its cache, per change (before failed
  // changes are left out).
  const answered = cached.traces.map((t) => t.phases['card: precomputed answer']?.n ?? 0);
  const hits = cached.traces.map((t, i) => (t.phases['card: result from the cache']?.n ?? 0) + answered[i]!);
  const fromCache = cached.times.filter((t, i) => !Number.isNaN(t) && hits[i] === CHARTS);
  const cachedComputed = cached.times.filter((t, i) => i > 0 && !Number.isNaN(t) && hits[i] === 0);
  const hitTraces = cached.traces.filter((_, i) => hits[i] === CHARTS && !Number.isNaN(cached.times[i]!));
  for (const v of viewers) {
    const failed = v.times.filter((t) => Number.isNaN(t)).length;
    if (failed)
      console.log(`  ${v.name}: ${failed} of ${v.times.length} changes had a card fail; left out below`);
    v.first = v.times[0]!;
    v.firstTrace = v.traces[0];
    v.traces = v.traces.filter((_, i) => i > 0 && !Number.isNaN(v.times[i]!));
    v.times = v.times.filter((t) => !Number.isNaN(t));
  }
  const f = (xs: number[]) =>
    xs.length ? `median ${median(xs).toFixed(0)} ms, p95 ${p95(xs).toFixed(0)} ms` : 'none';
  const label = {
    computed: 'in the browser, computed every time  ',
    cached: 'in the browser, as viewers get it     ',
    server: 'server round trip per chart          '
  };
  for (const v of viewers) {
    const warm = Number.isNaN(v.first) ? v.times : v.times.slice(1);
    // Which changes the tail is made of (change numbers from 1): a pattern says more than a percentile.
    const slowest = v.times
      .map((t, i) => ({ t, i }))
      .sort((a, b) => b.t - a.t)
      .slice(0, 3)
      .map(({ t, i }) => `#${i + 1} ${t.toFixed(0)}`)
      .join(', ');
    console.log(
      `  ${label[v.name as keyof typeof label]}: all ${v.times.length} changes ${f(v.times)}; first ${v.first.toFixed(0)} ms; ` +
        `warm ${warm.length} ${f(warm)} (min ${Math.min(...warm).toFixed(0)}, max ${Math.max(...warm).toFixed(0)}); ` +
        `slowest ${slowest} ms`
    );
  }
  if (onServer)
    console.log(
      `  server query processes started per change: first ${spawns[0]}, warm median ${median(spawns.slice(1))}, ` +
        `max ${Math.max(...spawns.slice(1))}, ${spawns.reduce((a, b) => a + b, 0)} in all ${spawns.length} changes`
    );
  const partly = hits.filter((n) => n > 0 && n < CHARTS).length;
  console.log(
    `  as viewers get it: ${fromCache.length} of ${hits.length} changes answered without computing (all ` +
      `${CHARTS} cards; ${answered.filter((n) => n === CHARTS).length} from precomputed answers, the rest from ` +
      `the page's cache), ${partly} in part, ${cachedComputed.length} computed; those answered ${f(fromCache)}, ` +
      `those computed (after the first) ${f(cachedComputed)}`
  );
  if (computed.firstTrace) printBreakdown([computed.firstTrace], 'the first change');
  printBreakdown(computed.traces, 'per warm change, computed every time,');
  printSlowest(computed.traces);
  printBreakdown(hitTraces, 'per change answered without computing (precomputed answers, cache)');
  if (traced) printThreads(traced);
  const b = computed.times;
  if (onServer) {
    const s = onServer.times;
    console.log(
      `  ratio server ÷ browser (computed every time): median ${(median(s) / median(b)).toFixed(2)}×, ` +
        `p95 ${(p95(s) / p95(b)).toFixed(2)}×; warm median ${(median(s.slice(1)) / median(b.slice(1))).toFixed(2)}×; ` +
        `first ${(onServer.first / computed.first).toFixed(2)}×`
    );
  }
  for (const v of [computed, cached]) {
    const xs = v.times;
    console.log(
      `  target browser p95 ≤ ${TARGET_P95} ms over all ${xs.length} changes, ${v === computed ? 'computed every time' : 'as viewers get it'}: ` +
        `${p95(xs) <= TARGET_P95 ? 'met' : 'missed'} (${p95(xs).toFixed(0)} ms; warm ${p95(xs.slice(1)).toFixed(0)} ms)`
    );
  }
  console.log(`  load average (1, 5, 15 min) at the end: ${load.map((x) => x.toFixed(2)).join(', ')}`);
} finally {
  await browser?.close();
  await app?.stop();
  await rm(dir, { recursive: true, force: true });
}
