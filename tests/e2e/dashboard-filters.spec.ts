// Interactive dashboards (issue 21): Ada publishes a notebook over an uploaded CSV with two filters on the grid (a
// region dropdown and a date range) and cards that follow them. A logged-out viewer picks another region and
// period: every card that follows them changes to what native DuckDB computes over the same CSV for those values,
// recomputed in the viewer's own browser; the URL holds the choice and a reload shows the same view. Another
// viewer and the notebook keep the published values, a card that follows no filter is left alone, and a URL
// value that is not allowed is refused beside its filter. A card on a database connection follows the filter too,
// re-run by the server for the viewer's value. A link with values is first painted by the server (no engine
// needed in the browser), and clicking a chart's picked bar again clears the pick. The engine starts when the viewer
// points at a filter, not before. A slow update keeps the cards' pictures and says it is updating.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect, test, type Page, type Route } from '@playwright/test';
import type { TraceSink } from '../../src/lib/engine/trace';
import { sampleDb } from '../integration/helpers/sample-db';
import {
  person,
  renameResult as rename,
  runCell as run,
  shownNumber,
  typeSql,
  addWarehouse
} from './helpers';

const WHERE = 'where region = {{region}} and day between {{period.start}} and {{period.end}}';
const MONTHLY = `select strftime(day, '%Y-%m') as month, sum(amount) as total from sales ${WHERE} group by 1 order by 1`;
const KPI = `select sum(amount) as total, count(*) as orders from sales ${WHERE}`;

/** A year of sales in three regions, every few days. */
function salesCsv(): string {
  const lines = ['region,day,amount'];
  const regions = ['East', 'North', 'West'];
  for (let i = 0; i < 120; i++) {
    const day = new Date(Date.UTC(2024, 0, 2) + i * 3 * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${regions[i % 3]},${day},${((i * 37) % 90) + 5}`);
  }
  return lines.join('\n') + '\n';
}

type Choice = { region: string; start: string; end: string };

/** What the cards should show for a choice, computed by native DuckDB over the original CSV. */
async function expected(csv: string, c: Choice) {
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(`create view sales as select * from read_csv_auto('${csv}')`);
  const where = `where region = '${c.region}' and day between date '${c.start}' and date '${c.end}'`;
  const months = (
    await conn.runAndReadAll(
      `select strftime(day, '%Y-%m') as month, sum(amount)::int as total from sales ${where} group by 1 order by 1`
    )
  ).getRowObjectsJson() as { month: string; total: number }[];
  const kpi = (
    await conn.runAndReadAll(`select sum(amount)::int as total from sales ${where}`)
  ).getRowObjectsJson()[0] as { total: number };
  conn.closeSync();
  return {
    bars: months.map((m) => `month: ${m.month}; total: ${m.total}`),
    rows: months.map((m) => [m.month, String(m.total)]),
    total: kpi.total
  };
}

const cell = (page: Page, i: number) => page.getByTestId('cell').nth(i);

/** The month bars of the dashboard's chart that follows the filters, as Vega labels them. */
const monthBars = (page: Page) =>
  page
    .locator('[aria-roledescription="bar"][aria-label^="month: "]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));

/** The dashboard shows `want`: the number card, every bar of the chart and every row of the table, once no card
 * is updating. */
async function expectShows(page: Page, want: { bars: string[]; rows: string[][]; total: number }) {
  await expect(page.locator('[data-testid="card-body"][data-state="updating"]')).toHaveCount(0, {
    timeout: 60_000
  });
  await expect(page.getByTestId('big-number-value')).toHaveText(shownNumber(want.total), { timeout: 60_000 });
  await expect.poll(() => monthBars(page), { timeout: 30_000 }).toEqual(want.bars);
  await expect
    .poll(() =>
      page
        .getByTestId('rows-table')
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent?.trim())))
    )
    .toEqual(want.rows);
}

test('viewers filter a published dashboard for themselves, in the URL, recomputed in their browser', async ({
  browser
}) => {
  test.setTimeout(300_000);
  const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-e2e-filters-'));
  const csv = path.join(dir, 'sales.csv');
  await writeFile(csv, salesCsv());
  const published: Choice = { region: 'West', start: '2024-01-01', end: '2024-12-31' };
  const chosen: Choice = { region: 'East', start: '2024-03-01', end: '2024-06-30' };
  const atPublish = await expected(csv, published);
  const forChoice = await expected(csv, chosen);
  expect(forChoice.total).not.toBe(atPublish.total);

  const ada = await person(browser, 'Ada Filters');
  const page = ada.page;
  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
  await page.getByLabel('Upload files').setInputFiles(csv);
  await expect(page.getByTestId('file')).toContainText('sales');

  // A card that follows no filter.
  await typeSql(page, 0, 'select region, sum(amount) as total from sales group by region order by region');
  await run(page, 0);

  // The filters: a dropdown of regions and a date range, set to what viewers start from.
  await page.getByRole('button', { name: 'Add Input cell below cell 1' }).click();
  await rename(page, 1, 'region');
  await cell(page, 1).getByLabel('Widget').selectOption('dropdown');
  await cell(page, 1).getByLabel('Choices, one a line').fill('East\nNorth\nWest');
  await cell(page, 1).getByLabel('Choices, one a line').blur();
  await cell(page, 1).getByLabel('region', { exact: true }).selectOption({ label: 'West' });
  await page.getByRole('button', { name: 'Add Input cell below cell 2' }).click();
  await rename(page, 2, 'period');
  await cell(page, 2).getByLabel('Widget').selectOption('daterange');
  await cell(page, 2).getByLabel('From', { exact: true }).fill(published.start);
  await cell(page, 2).getByLabel('To', { exact: true }).fill(published.end);

  // Cards that follow them: a monthly chart and a number.
  await page.getByRole('button', { name: 'Add SQL cell below cell 3' }).click();
  await rename(page, 3, 'monthly');
  await typeSql(page, 3, MONTHLY);
  await run(page, 3);
  await page.getByRole('button', { name: 'Add SQL cell below cell 4' }).click();
  await rename(page, 4, 'kpi');
  await typeSql(page, 4, KPI);
  await run(page, 4);
  await expect(cell(page, 4).getByTestId('result-row').first()).toContainText(shownNumber(atPublish.total));
  for (const [after, source] of [
    [5, 'monthly'],
    [6, 'query_1']
  ] as const) {
    await page.getByRole('button', { name: `Add Chart cell below cell ${after}` }).click();
    await cell(page, after).getByLabel('Data', { exact: true }).selectOption(source);
    await expect(cell(page, after).locator('svg [aria-roledescription="bar"]').first()).toBeVisible({
      timeout: 30_000
    });
  }
  // The chart by region is a filter chart too: clicking a bar sets the region (cross-filtering).
  await cell(page, 6).getByLabel('Clicking a mark sets').selectOption('region');
  await expect(cell(page, 6).getByLabel('to its', { exact: true })).toHaveValue('region');

  await page.getByRole('button', { name: 'Dashboard', exact: true }).click();
  for (const label of [
    'Add region as a filter',
    'Add period as a filter',
    'Add Chart of monthly to the dashboard',
    'Add kpi as a number',
    'Add monthly as a table',
    'Add Chart of query_1 to the dashboard'
  ])
    await page.getByRole('button', { name: label }).click();
  await expect(page.getByTestId('dashboard-item')).toHaveCount(6);
  // In the notebook's dashboard view the filters are live controls too.
  await expect(page.getByTestId('dashboard-filter')).toHaveCount(2);
  await page.getByTestId('publish-toggle').click();
  await page.getByLabel('Who can see it').selectOption({ label: 'Anyone with the link' });
  await page.getByTestId('publish-panel').getByRole('button', { name: 'Publish', exact: true }).click();
  const link = page.getByTestId('dashboard-link');
  await expect(link).toBeVisible({ timeout: 60_000 });
  const url = new URL((await link.getAttribute('href'))!, page.url()).pathname;

  // A stranger, logged out, sees the published view, then picks another region and period.
  const anon = await browser.newContext();
  const viewer = await anon.newPage();
  // Ranges of the snapshot's base tables the viewer's browser reads; and whether it started its SQL engine (the
  // loader marks the browser's performance timeline).
  const ranges: string[] = [];
  const engineStarted = () =>
    viewer.evaluate(() => performance.getEntriesByName('sheaf:engine:start').length > 0);
  // The engine's trace (src/lib/engine/trace.ts) counts the messages sent to DuckDB-WASM's worker, by type.
  await anon.addInitScript(() => {
    (window as unknown as { __sheafTrace: unknown }).__sheafTrace = { phases: {}, tasks: {} };
  });
  const trace = () =>
    viewer.evaluate(() => {
      const w = window as unknown as { __sheafTrace: TraceSink };
      const t = w.__sheafTrace;
      w.__sheafTrace = { phases: {}, tasks: {} };
      return t;
    });
  anon.on('request', (r) => {
    const range = r.headers()['range'];
    if (r.url().includes('/snapshots/') && range) ranges.push(range);
  });
  await viewer.goto(url);
  await expect(viewer.locator('html[data-hydrated="true"]')).toHaveCount(1);
  await expectShows(viewer, atPublish);
  const unfiltered = await viewer
    .locator('[aria-roledescription="bar"][aria-label^="region: "]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
  expect(unfiltered).toHaveLength(3);
  // At the published values the server's snapshot is shown: no engine, not even for pointing at a card that
  // sets no filter.
  await viewer.getByTestId('big-number-value').hover();
  await viewer.waitForTimeout(300);
  expect(await engineStarted()).toBe(false);
  // Pointing at a filter starts the engine while the viewer chooses.
  await viewer.getByTestId('dashboard-filter').first().hover();
  await expect.poll(engineStarted).toBe(true);

  // A slow update says so, and keeps the picture it had: the base table's pieces are held back for a moment.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const hold = async (route: Route) => {
    await held;
    await route.continue();
  };
  await anon.route(/\/snapshots\//, hold);
  await viewer.getByLabel('region', { exact: true }).selectOption({ label: chosen.region });
  await expect(viewer.getByRole('status', { name: 'Updating for your filters' }).first()).toBeVisible();
  await expect(viewer.getByTestId('big-number-value')).toHaveText(shownNumber(atPublish.total));
  release();
  await anon.unroute(/\/snapshots\//, hold);
  await viewer.getByLabel('From', { exact: true }).fill(chosen.start);
  await viewer.getByLabel('To', { exact: true }).fill(chosen.end);
  await expectShows(viewer, forChoice);
  await expect(viewer).toHaveURL(
    new RegExp(`\\?region=${chosen.region}&period=${chosen.start}\\.\\.${chosen.end}$`)
  );
  // The card that follows no filter was left as it was.
  await expect(viewer.locator('[aria-roledescription="bar"][aria-label^="region: "]')).toHaveCount(3);
  await expect(viewer.getByTestId('card-error')).toHaveCount(0);
  await expect(viewer.getByTestId('live-chart')).toHaveCount(1);
  expect(await engineStarted()).toBe(true);
  expect(ranges.length).toBeGreaterThan(0);
  // Every piece of the base table is loaded now, merged once into one table.
  expect((await trace()).phases['pieces: merge']?.n).toBe(1);

  // One more change: the two cells behind the three cards are re-run once each (the chart and the table of
  // `monthly` share its run), and the cards draw the results as the runs returned them: nothing is planned or
  // fetched, no result is written back into DuckDB nor read out of it again. Each run is one message to the
  // worker: its connection and prepared statement were kept from the change before.
  const northChosen = await expected(csv, { ...chosen, region: 'North' });
  await viewer.getByLabel('region', { exact: true }).selectOption({ label: 'North' });
  await expectShows(viewer, northChosen);
  const warm = await trace();
  expect(warm.tasks['RUN_PREPARED']).toBe(2);
  expect(warm.tasks['CONNECT'] ?? 0).toBe(0);
  expect(warm.tasks['SEND_PREPARED'] ?? 0).toBe(0);
  expect(warm.tasks['RUN_QUERY'] ?? 0).toBe(0);
  expect(warm.tasks['INSERT_ARROW_FROM_IPC_STREAM'] ?? 0).toBe(0);
  expect(warm.phases['plan']).toBeUndefined();
  // Back to values seen before: the results come from the page's cache, with nothing asked of the engine.
  await viewer.getByLabel('region', { exact: true }).selectOption({ label: chosen.region });
  await expectShows(viewer, forChoice);
  const back = await trace();
  expect(back.phases['card: result from the cache']?.n).toBe(2);
  expect(back.tasks).toEqual({});

  // The same URL again: the same view.
  await viewer.reload();
  await expect(viewer.getByLabel('region', { exact: true }).locator('option:checked')).toHaveText(
    chosen.region
  );
  await expect(viewer.getByLabel('From', { exact: true })).toHaveValue(chosen.start);
  await expectShows(viewer, forChoice);

  // A link with those values, opened afresh: the server painted the cards for them (without JavaScript too), and
  // the browser shows them without starting its engine.
  const chosenUrl = `${url}?region=${chosen.region}&period=${chosen.start}..${chosen.end}`;
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const still = await noJs.newPage();
  await still.goto(chosenUrl);
  await expect(still.getByTestId('big-number-value')).toHaveText(shownNumber(forChoice.total));
  await expect(still.locator('[data-testid="card-body"][data-state="live"]')).toHaveCount(3);
  await noJs.close();
  const fresh = await (await browser.newContext()).newPage();
  await fresh.goto(chosenUrl);
  await expect(fresh.locator('html[data-hydrated="true"]')).toHaveCount(1);
  await expectShows(fresh, forChoice);
  expect(await fresh.evaluate(() => performance.getEntriesByName('sheaf:engine:start').length > 0)).toBe(
    false
  );
  await fresh.context().close();

  // Another viewer, and the notebook itself, still show the published values.
  const other = await (await browser.newContext()).newPage();
  await other.goto(url);
  await expectShows(other, atPublish);
  await page.getByRole('button', { name: 'Notebook', exact: true }).click();
  await expect(cell(page, 1).getByLabel('region', { exact: true }).locator('option:checked')).toHaveText(
    published.region
  );
  await expect(cell(page, 4).getByTestId('result-row').first()).toContainText(shownNumber(atPublish.total));

  // A value that is not allowed is refused beside its filter, and the published value is used.
  await other.goto(`${url}?region=Mars&period=2024-02-30..2024-03-01`);
  const refused = other.getByTestId('filter-refused');
  await expect(refused).toHaveCount(2);
  await expect(refused.first()).toContainText('"Mars" is not one of the choices.');
  await expect(refused.nth(1)).toContainText('that day does not exist');
  await expectShows(other, atPublish);

  // Clicking a bar of the chart by region sets the viewer's region: the URL and the cards follow.
  const north = await expected(csv, { ...published, region: 'North' });
  await other.goto(url);
  await expect(other.locator('[data-testid="published-chart"][data-state="live"]')).toHaveCount(2);
  const northBar = unfiltered.find((l) => l?.startsWith('region: North;'))!;
  await other.locator(`[aria-label="${northBar}"]`).click();
  await expect(other).toHaveURL(/\?region=North$/);
  await expect(other.getByLabel('region', { exact: true }).locator('option:checked')).toHaveText('North');
  await expectShows(other, north);
  // Clicking it again clears the pick: the cards are the published ones again, and the URL says nothing.
  await other.locator(`[aria-label="${northBar}"]`).click();
  await expect.poll(() => new URL(other.url()).search).toBe('');
  await expect(other.getByLabel('region', { exact: true }).locator('option:checked')).toHaveText(
    published.region
  );
  await expectShows(other, atPublish);

  await anon.close();
  await other.context().close();
});

test('a card on a database connection follows a viewer’s filter, re-run by the server', async ({
  browser
}) => {
  test.setTimeout(180_000);
  const sample = await sampleDb(1_000);
  try {
    // Each region has as many orders as the others; their amounts differ.
    const SQL = `select sum(amount) as amount from ${sample.schema}.orders where region = {{region}}`;
    const sums = Object.fromEntries(
      (
        await sample.admin.unsafe(
          `select region, sum(amount)::float8 as s from ${sample.schema}.orders group by region`
        )
      ).map((r) => [
        r.region as string,
        (r.s as number).toLocaleString('en-US', { maximumFractionDigits: 2 })
      ])
    );
    expect(sums.south).not.toBe(sums.north);
    const ada = await person(browser, 'Ada Live');
    const page = ada.page;
    const workspaceUrl = new URL(page.url()).pathname;
    await addWarehouse(page, workspaceUrl, sample);
    await page.getByRole('button', { name: 'New notebook' }).click();
    await expect(page.getByTestId('connection-status')).toHaveText('connected');

    await page.getByRole('button', { name: 'Add Input cell below cell 1' }).click();
    await rename(page, 1, 'region');
    await cell(page, 1).getByLabel('Widget').selectOption('dropdown');
    await cell(page, 1).getByLabel('Choices, one a line').fill('east\nnorth\nsouth\nwest');
    await cell(page, 1).getByLabel('Choices, one a line').blur();
    await cell(page, 1).getByLabel('region', { exact: true }).selectOption({ label: 'north' });
    await rename(page, 0, 'amounts');
    await cell(page, 0).getByLabel('Run on').selectOption({ label: 'Warehouse' });
    await typeSql(page, 0, SQL);
    await run(page, 0);

    await page.getByRole('button', { name: 'Dashboard', exact: true }).click();
    await page.getByRole('button', { name: 'Add region as a filter' }).click();
    await page.getByRole('button', { name: 'Add amounts as a number' }).click();
    await page.getByTestId('publish-toggle').click();
    await page.getByLabel('Who can see it').selectOption({ label: 'Anyone with the link' });
    await page.getByTestId('publish-panel').getByRole('button', { name: 'Publish', exact: true }).click();
    const link = page.getByTestId('dashboard-link');
    await expect(link).toBeVisible({ timeout: 60_000 });
    const url = new URL((await link.getAttribute('href'))!, page.url()).pathname;

    const anon = await browser.newContext();
    const viewer = await anon.newPage();
    const asked: { url: string; status: number }[] = [];
    anon.on('response', (r) => {
      if (r.url().includes('/cells/')) asked.push({ url: r.url(), status: r.status() });
    });
    await viewer.goto(url);
    await expect(viewer.locator('html[data-hydrated="true"]')).toHaveCount(1);
    await expect(viewer.getByTestId('big-number-value')).toHaveText(sums.north!);
    await viewer.getByLabel('region', { exact: true }).selectOption({ label: 'south' });
    await expect(viewer.getByTestId('big-number-value')).toHaveText(sums.south!, { timeout: 60_000 });
    await expect(viewer.getByTestId('card-error')).toHaveCount(0);
    await expect(viewer).toHaveURL(/\?region=south$/);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.status).toBe(200);
    expect(decodeURIComponent(new URL(asked[0]!.url).searchParams.get('values')!)).toContain('"south"');
    // The database's SQL and connection never reach the viewer; its result needed no engine in the browser.
    expect(await viewer.content()).not.toContain(sample.schema);
    expect(await viewer.evaluate(() => performance.getEntriesByName('sheaf:engine:start').length)).toBe(0);

    // Back to the published value: the snapshot again, nothing asked of the server.
    await viewer.getByLabel('region', { exact: true }).selectOption({ label: 'north' });
    await expect(viewer.getByTestId('big-number-value')).toHaveText(sums.north!);
    await expect(viewer.locator('[data-testid="card-body"][data-state="snapshot"]')).toHaveCount(1);
    expect(new URL(viewer.url()).search).toBe('');
    expect(asked).toHaveLength(1);
    await anon.close();
  } finally {
    await sample.cleanup();
  }
});
