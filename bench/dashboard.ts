// bench:dashboard — a published dashboard of 10 charts over a 1M-row dataset, opened in headless Chromium from
// the built app: time to the first chart painted and to all ten, with the server's SVG in the page against the
// same page with it turned off (`?svg=0`: the browser draws every chart from its Arrow rows), in one run.
//   npm run bench:dashboard -- [--rows 1000000] [--repeat 5]
// Needs `npm run build` first (it runs it when build/ is missing or older than its sources).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import * as Y from 'yjs';
import { orderedCells, type NewCell } from '../cells/document';
import { addToLayout, placeItem } from '../cells/layout';
import { appendUpdates, loadDoc } from '../server/collab/doc-store';
import { createNotebook } from '../server/notebooks/notebooks';
import { CHROMIUM, CHROMIUM_ARGS, startBuiltApp, type BuiltApp } from './built-app';
import {
  benchAccount,
  channel,
  fourSalesCharts,
  openBenchDb,
  publishPublicly,
  salesChart,
  uploadSales,
  writeParquet
} from './sales-dashboard';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, repeat: { type: 'string', default: '5' } }
});
const ROWS = Number(values.rows);
const REPEAT = Number(values.repeat);
const CHARTS = 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Ten charts of different shapes over one file (the first four as bench:views draws them): bars, lines by time
 * unit, a histogram, a heatmap, a pie.
 */
function chartCells(): NewCell[] {
  const ch = salesChart;
  const x = channel;
  return [
    ...fourSalesCharts(),
    ch({
      mark: 'area',
      x: x('ordered_at', 'temporal', { timeUnit: 'yearmonthdate' }),
      y: x('qty', 'quantitative', { aggregate: 'sum' })
    }),
    ch({
      mark: 'rect',
      x: x('region', 'nominal'),
      y: x('category', 'nominal'),
      color: x('amount', 'quantitative', { aggregate: 'mean' })
    }),
    ch({ mark: 'arc', x: x('region', 'nominal'), y: x('qty', 'quantitative', { aggregate: 'sum' }) }),
    ch({
      mark: 'bar',
      x: x('ordered_at', 'temporal', { timeUnit: 'year' }),
      y: x('amount', 'quantitative', { aggregate: 'sum' }),
      color: x('region', 'nominal')
    }),
    ch({
      mark: 'line',
      x: x('ordered_at', 'temporal', { timeUnit: 'yearmonth' }),
      y: x('amount', 'quantitative', { aggregate: 'sum' }),
      color: x('region', 'nominal')
    }),
    ch({ mark: 'bar', x: x('qty', 'ordinal'), y: x('', 'quantitative', { aggregate: 'count' }) })
  ];
}

async function setUp(dataDir: string): Promise<string> {
  const db = await openBenchDb(dataDir);
  try {
    const ann = await benchAccount(db);
    const parquet = path.join(dataDir, 'sales-source.parquet');
    await writeParquet(
      parquet,
      `select i as id, (['north','south','east','west'])[1 + i % 4] as region,
             'category ' || (i % 25) as category, (i % 9) + 1 as qty, round((i * 7919) % 100000 / 100.0, 2) as amount,
             timestamp '2022-01-01' + to_seconds(i * 90) as ordered_at
        from range(${ROWS}) t(i)`
    );
    await uploadSales(db, dataDir, { userId: ann.user.id, workspaceId: ann.workspaceId }, parquet);
    const nb = await createNotebook(db, ann.user.id, ann.workspaceId, { title: 'Ten charts' }, chartCells());
    const doc = await loadDoc(db, nb.id);
    const before = Y.encodeStateVector(doc);
    orderedCells(doc).forEach((c, i) => {
      addToLayout(doc, c);
      placeItem(doc, c.id, { x: (i % 2) * 6, y: Math.floor(i / 2) * 5, w: 6, h: 5 });
    });
    await appendUpdates(db, nb.id, [Y.encodeStateAsUpdate(doc, before)]);
    const started = performance.now();
    const status = await publishPublicly(db, dataDir, ann.user.id, nb.id);
    console.log(
      `  published (10 charts aggregated in native DuckDB, SVG drawn): ${(performance.now() - started).toFixed(0)} ms`
    );
    return status.slug;
  } finally {
    await db.close();
  }
}

type Timing = { first: number; all: number; charts: number };

/** Opens the page in a fresh context; the init script notes when chart SVGs appear, then waits a frame (painted). */
async function open(browser: import('@playwright/test').Browser, url: string): Promise<Timing> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // A string, not a function: tsx would wrap named functions in a helper the page does not have.
  await page.addInitScript(`
    window.__paint = {};
    const check = () => {
      const n = document.querySelectorAll('[data-testid="published-chart"] svg').length;
      if (n >= 1 && window.__paint.first === undefined) {
        window.__paint.first = -1;
        requestAnimationFrame(() => (window.__paint.first = performance.now()));
      }
      if (n >= ${CHARTS} && window.__paint.all === undefined) {
        window.__paint.all = -1;
        requestAnimationFrame(() => (window.__paint.all = performance.now()));
      }
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true });
  `);
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(
    () => ((window as unknown as { __paint: { all?: number } }).__paint.all ?? -1) > 0,
    null,
    {
      timeout: 120_000
    }
  );
  const t = await page.evaluate(
    () => (window as unknown as { __paint: { first: number; all: number } }).__paint
  );
  const charts = await page.locator('[data-testid="published-chart"]').count();
  await context.close();
  return { first: t.first, all: t.all, charts };
}

const dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-bench-dashboard-'));
let app: BuiltApp | undefined;
try {
  console.log(
    `bench:dashboard — ${CHARTS} charts over ${ROWS.toLocaleString('en-US')} rows, median of ${REPEAT} loads`
  );
  const slug = await setUp(dataDir);
  app = await startBuiltApp(dataDir, { seedDemo: false });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS
  });
  const base = `${app.origin}/d/${slug}`;
  await open(browser, base); // warm-up: the server's first render, the browser's code cache
  await open(browser, `${base}?svg=0`);
  const withSvg: Timing[] = [];
  const without: Timing[] = [];
  for (let i = 0; i < REPEAT; i++) {
    withSvg.push(await open(browser, base));
    without.push(await open(browser, `${base}?svg=0`));
  }
  await browser.close();
  const line = (name: string, runs: Timing[]) =>
    `  ${name}: first chart ${median(runs.map((r) => r.first)).toFixed(0)} ms, all ${runs[0]!.charts} charts ${median(runs.map((r) => r.all)).toFixed(0)} ms`;
  console.log(line('server SVG in the page ', withSvg));
  console.log(line('drawn in the browser   ', without));
  const f = median(withSvg.map((r) => r.first));
  const fo = median(without.map((r) => r.first));
  const a = median(withSvg.map((r) => r.all));
  const ao = median(without.map((r) => r.all));
  console.log(
    `  ratio browser / server SVG: first chart ${(fo / f).toFixed(1)}×, all charts ${(ao / a).toFixed(1)}× ` +
      `(target: first chart ≤ 1000 ms → ${f <= 1000 ? 'met' : 'missed'})`
  );
} finally {
  app?.stop();
  await new Promise((r) => setTimeout(r, 500));
  await rm(dataDir, { recursive: true, force: true });
}
