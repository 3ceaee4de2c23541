// Precomputed answers (issue 21): Ada publishes a dashboard whose cards follow only a dropdown. At publish the
// server computes each choice's results over the published base table; a logged-out viewer picking a region sees
// every card change to what native DuckDB computes over the original CSV for it, without their browser starting
// its SQL engine or reading the base table: one small file per choice, fetched once. The chart's gradient legend
// does not make the browser fetch the page again when the address changes with the pick.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect, test, type Page, type Route } from '@playwright/test';
import {
  makeDropdown,
  newNotebookWithFile,
  person,
  publishForAnyone,
  renameResult as rename,
  runCell as run,
  shownNumber,
  typeSql
} from './helpers';

const REGIONS = ['East', 'North', 'West'];
const BY_CATEGORY =
  'select category, sum(amount)::int as amount from sales where region = {{region}} group by 1 order by 1';
const ORDERS = 'select count(*) as orders from sales where region = {{region}}';

function salesCsv(): string {
  const lines = ['region,category,amount'];
  for (let i = 0; i < 90; i++) lines.push(`${REGIONS[i % 3]},${['pens', 'ink'][i % 2]},${(i * 17) % 50}`);
  return lines.join('\n') + '\n';
}

/** What the cards should show for a region: the chart's bar labels and the number. */
async function expected(csv: string, region: string) {
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(`create view sales as select * from read_csv_auto('${csv}')`);
  const bars = (
    await conn.runAndReadAll(
      `select category, sum(amount)::int as amount from sales where region = '${region}' group by 1 order by 1`
    )
  ).getRowObjectsJson() as { category: string; amount: number }[];
  const [{ orders }] = (
    await conn.runAndReadAll(`select count(*)::int as orders from sales where region = '${region}'`)
  ).getRowObjectsJson() as [{ orders: number }];
  conn.closeSync();
  return { bars: bars.map((b) => `category: ${b.category}; amount: ${b.amount}`), orders };
}

const cell = (page: Page, i: number) => page.getByTestId('cell').nth(i);

async function expectShows(page: Page, want: Awaited<ReturnType<typeof expected>>) {
  await expect(page.getByTestId('big-number-value')).toHaveText(shownNumber(want.orders), {
    timeout: 30_000
  });
  await expect
    .poll(() =>
      page
        .locator('[aria-roledescription="bar"][aria-label^="category: "]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')?.replace(/,/g, '')))
    )
    .toEqual(want.bars);
  await expect(page.locator('[data-testid="card-body"][data-state="updating"]')).toHaveCount(0);
}

test('a viewer picking a dropdown value gets the precomputed cards without starting an engine', async ({
  browser
}) => {
  test.setTimeout(240_000);
  const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-e2e-answers-'));
  const csv = path.join(dir, 'sales.csv');
  await writeFile(csv, salesCsv());

  const ada = await person(browser, 'Ada Answers');
  const page = ada.page;
  await newNotebookWithFile(page, csv);

  await page.getByRole('button', { name: 'Add Input cell below cell 1' }).click();
  await makeDropdown(page, 1, 'region', REGIONS, 'East');
  await rename(page, 0, 'by_category');
  await typeSql(page, 0, BY_CATEGORY);
  await run(page, 0);
  await page.getByRole('button', { name: 'Add SQL cell below cell 2' }).click();
  await rename(page, 2, 'orders');
  await typeSql(page, 2, ORDERS);
  await run(page, 2);
  await page.getByRole('button', { name: 'Add Chart cell below cell 3' }).click();
  await cell(page, 3).getByLabel('Data', { exact: true }).selectOption('by_category');
  // Colored by amount: the legend is a gradient, which Vega's SVG names by the page's address.
  await cell(page, 3).getByLabel('Color', { exact: true }).selectOption('amount');
  await expect(cell(page, 3).locator('svg [aria-roledescription="bar"]').first()).toBeVisible({
    timeout: 30_000
  });
  await expect(cell(page, 3).locator('svg linearGradient')).toHaveCount(1);

  await page.getByRole('button', { name: 'Dashboard', exact: true }).click();
  for (const label of [
    'Add region as a filter',
    'Add Chart of by_category to the dashboard',
    'Add orders as a number'
  ])
    await page.getByRole('button', { name: label }).click();
  const url = await publishForAnyone(page);

  const viewer = await (await browser.newContext()).newPage();
  const fetched: string[] = [];
  // Requests for the dashboard's own page other than opening it: a chart's gradient naming the address the page
  // had before the viewer's last pick made the browser fetch that page (a whole render on the server) per pick.
  const pageAgain: string[] = [];
  viewer.on('request', (r) => {
    const m = /\/snapshots\/[^/]+\/([^/?]+)/.exec(r.url());
    if (m) fetched.push(m[1]!);
    if (!r.isNavigationRequest() && new URL(r.url()).pathname === new URL(url, r.url()).pathname)
      pageAgain.push(r.url());
  });
  await viewer.goto(url);
  await expect(viewer.locator('html[data-hydrated="true"]')).toHaveCount(1);
  await expectShows(viewer, await expected(csv, 'East'));
  // Pointing at the filter starts nothing: every card's answers are there.
  await viewer.getByTestId('dashboard-filter').first().hover();
  // The first pick's answers are held back a moment: the page stays on the new address with the old picture,
  // showing that it is updating, long enough for the browser to restyle the old drawing.
  const slowly = async (route: Route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await route.continue();
  };
  await viewer.route(/\/snapshots\//, slowly);
  for (const region of ['West', 'North', 'West']) {
    await viewer.getByLabel('region', { exact: true }).selectOption({ label: region });
    await expectShows(viewer, await expected(csv, region));
    await viewer.unroute(/\/snapshots\//, slowly);
  }
  await expect(viewer.getByTestId('card-error')).toHaveCount(0);
  expect(pageAgain).toEqual([]);
  // The legend still draws its gradient: each fill names a gradient of this page.
  const fills = await viewer.locator('[data-testid="live-chart"] svg [fill^="url("]').evaluateAll((els) =>
    els.map((e) => {
      const ref = /^url\((.*)\)$/.exec(e.getAttribute('fill')!)![1]!;
      return { ref, found: ref.startsWith('#') && !!document.getElementById(ref.slice(1)) };
    })
  );
  expect(fills.length).toBeGreaterThan(0);
  for (const fill of fills) expect(fill, fill.ref).toMatchObject({ found: true });
  expect(await viewer.evaluate(() => performance.getEntriesByName('sheaf:engine:start').length)).toBe(0);
  // One answer file per region picked, each once; the base table was never read.
  expect(fetched.every((f) => /^answer-\d+\.arrow$/.test(f))).toBe(true);
  expect(fetched).toHaveLength(2);
  await viewer.context().close();
});
