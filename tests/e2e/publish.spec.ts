// Publishing a dashboard: Ada builds a notebook with a local query over an uploaded CSV and a query on her team's
// PostgreSQL, charts of both and a text, arranges them and publishes. A logged-out browser sees the charts (drawn
// by the server, numbers from the data) and the text, no editor, no SQL of the database query, no password, and
// cannot write through the document socket or the API. New rows in the database + "Refresh data" → new numbers.
// Unpublished → 404. Published again with forking allowed: Bob, from another workspace, forks it.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { sampleDb, type SampleDb } from '../integration/helpers/sample-db';
import { person, typeSql, shownNumber, addWarehouse } from './helpers';

let sample: SampleDb;
test.beforeAll(async () => {
  sample = await sampleDb(1_000);
});
test.afterAll(async () => {
  await sample?.cleanup();
});

const cell = (page: Page, i: number) => page.getByTestId('cell').nth(i);
const bar = (scope: Locator | Page, label: string) =>
  scope.locator(`[data-testid="published-chart"] [aria-label="${label}"]`);

async function run(page: Page, i: number) {
  await cell(page, i).getByRole('button', { name: 'Run cell' }).click();
  await expect(cell(page, i).getByTestId('run-summary')).toBeVisible({ timeout: 60_000 });
}

async function chartOf(page: Page, after: number, source: string) {
  await page.getByRole('button', { name: `Add Chart cell below cell ${after}` }).click();
  const chart = cell(page, after);
  await chart.getByLabel('Data', { exact: true }).selectOption(source);
  await expect(chart.locator('svg [aria-roledescription="bar"]').first()).toBeVisible({ timeout: 30_000 });
}

async function ordersByRegion(): Promise<Record<string, number>> {
  const rows = await sample.admin.unsafe(
    `select region, count(*)::int as n from ${sample.schema}.orders group by region order by region`
  );
  return Object.fromEntries(rows.map((r) => [r.region as string, r.n as number]));
}

test('publish a dashboard, read it logged out, refresh it, unpublish it, fork it', async ({ browser }) => {
  test.setTimeout(240_000);
  const ada = await person(browser, 'Ada Publisher');
  const page = ada.page;
  const workspaceUrl = new URL(page.url()).pathname;

  // Her team's database, added through the API as the connections page would.
  await addWarehouse(page, workspaceUrl, sample);

  const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-e2e-publish-'));
  const csv = path.join(dir, 'sales.csv');
  await writeFile(csv, 'region,amount\nnorth,10\nsouth,20\nnorth,5\neast,7\n');
  await page.goto(workspaceUrl);
  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
  const notebookUrl = page.url();
  const notebookId = notebookUrl.split('/n/')[1]!;
  await page.getByLabel('Upload files').setInputFiles(csv);
  await expect(page.getByTestId('file')).toContainText('sales');

  const connectionSql = `select region, count(*) as orders from ${sample.schema}.orders group by region order by region`;
  await typeSql(page, 0, 'select region, sum(amount) as total from sales group by region order by region');
  await run(page, 0);
  await page.getByRole('button', { name: 'Add SQL cell below cell 1' }).click();
  await cell(page, 1).getByLabel('Run on').selectOption({ label: 'Warehouse' });
  await typeSql(page, 1, connectionSql);
  await run(page, 1);
  await chartOf(page, 2, 'query_1');
  await chartOf(page, 3, 'query_2');
  await page.getByRole('button', { name: 'Add Text cell below cell 4' }).click();
  await page.keyboard.type('# Sales review\nNumbers by **region**.');
  await page.keyboard.press('Escape');

  // The dashboard: both charts, the text, and the database query's result as a table.
  await page.getByRole('button', { name: 'Dashboard', exact: true }).click();
  for (const label of [
    'Add Chart of query_1 to the dashboard',
    'Add Chart of query_2 to the dashboard',
    'Add Sales review to the dashboard',
    'Add query_2 as a table'
  ])
    await page.getByRole('button', { name: label }).click();
  await expect(page.getByTestId('dashboard-item')).toHaveCount(4);

  await page.getByTestId('publish-toggle').click();
  await expect(page.getByLabel('Who can see it')).toHaveValue('members'); // nobody outside unless chosen
  await page.getByLabel('Who can see it').selectOption({ label: 'Anyone with the link' });
  await page.getByTestId('publish-panel').getByRole('button', { name: 'Publish', exact: true }).click();
  const link = page.getByTestId('dashboard-link');
  await expect(link).toBeVisible({ timeout: 60_000 });
  const url = new URL((await link.getAttribute('href'))!, page.url()).pathname;

  // A stranger's browser, logged out.
  const anon = await browser.newContext();
  const viewer = await anon.newPage();
  // The server's SVG is in the HTML itself, before any script runs.
  const html = await (await viewer.request.get(url)).text();
  expect(html).toContain('aria-label="region: north; total: 15"');
  let orders = await ordersByRegion();
  expect(html).toContain(`aria-label="region: north; orders: ${orders.north}"`);
  for (const secret of [sample.password, `${sample.schema}.orders`, sample.role, notebookId])
    expect(html).not.toContain(secret);

  await viewer.goto(url);
  await expect(viewer.getByRole('heading', { name: 'Sales review' })).toBeVisible();
  await expect(bar(viewer, 'region: south; total: 20')).toBeVisible();
  await expect(bar(viewer, `region: east; orders: ${orders.east}`)).toBeVisible();
  await expect(viewer.getByTestId('rows-table')).toContainText(shownNumber(orders.west!));
  // Hydrated: the chart is Vega's own now, with tooltips.
  await expect(viewer.locator('[data-testid="published-chart"][data-state="live"]')).toHaveCount(2);
  await bar(viewer, 'region: south; total: 20').hover();
  await expect(viewer.locator('#vg-tooltip-element')).toContainText('20');
  await expect(viewer.locator('.cm-content')).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Refresh data' })).toHaveCount(0);
  expect(await viewer.content()).not.toContain(`${sample.schema}.orders`);

  // Writing with this browser's cookies: the document socket and the API refuse.
  const socket = await viewer.evaluate(
    (id) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/collab/${id}`);
        ws.onopen = () => resolve('open');
        ws.onerror = () => resolve('refused');
        ws.onclose = () => resolve('refused');
      }),
    notebookId
  );
  expect(socket).toBe('refused');
  const put = await viewer.request.put(`/api/results/${notebookId}/cell/run`, {
    headers: { 'x-sheaf-upload': '1' },
    data: Buffer.from('x')
  });
  expect(put.status()).toBe(401);
  const refresh = await viewer.request.post(`${url}?/refresh`, { form: {}, maxRedirects: 0 });
  expect([303, 401, 403]).toContain(refresh.status());

  // New orders in the database; Ada refreshes; the stranger sees the new count.
  await sample.admin.unsafe(
    `insert into ${sample.schema}.orders (id, region, amount, ordered_on)
     select 900000 + g, 'north', 1, date '2024-01-01' from generate_series(1, 7) g`
  );
  const before = orders.north;
  orders = await ordersByRegion();
  expect(orders.north).toBe(before! + 7);
  await page.goto(url);
  await page.getByRole('button', { name: 'Refresh data' }).click();
  await expect(bar(page, `region: north; orders: ${orders.north}`)).toBeVisible({ timeout: 60_000 });
  await viewer.reload();
  await expect(bar(viewer, `region: north; orders: ${orders.north}`)).toBeVisible();

  // Unpublished: the link is a 404.
  await page.goto(notebookUrl);
  await page.getByTestId('publish-toggle').click();
  await page.getByRole('button', { name: 'Unpublish' }).click();
  await expect(page.getByTestId('dashboard-link')).toHaveCount(0);
  expect((await viewer.request.get(url)).status()).toBe(404);

  // Published again, forks allowed: Bob (his own workspace) forks it and gets an independent copy.
  await page.getByLabel('Who can see it').selectOption({ label: 'Anyone with the link' });
  await page
    .getByLabel('Let signed-in viewers fork it (they get a copy of the queries and the files they read)')
    .check();
  await page.getByTestId('publish-panel').getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page.getByTestId('dashboard-link')).toHaveAttribute('href', url, { timeout: 60_000 });
  expect((await viewer.request.get(url)).status()).toBe(200);
  await expect(viewer.getByRole('button', { name: 'Fork' })).toHaveCount(0); // logged out
  const bob = await person(browser, 'Bob Forker');
  await bob.page.goto(url);
  await expect(bob.page.locator('html[data-hydrated="true"]')).toHaveCount(1); // the button works once hydrated
  await bob.page.getByRole('button', { name: 'Fork' }).click();
  await bob.page
    .getByRole('form', { name: "Fork this dashboard's notebook" })
    .getByRole('button', { name: 'Fork' })
    .click();
  await expect(bob.page).toHaveURL(/\/n\/[a-z2-7]{16}$/);
  expect(bob.page.url()).not.toBe(notebookUrl);
  await expect(bob.page.getByTestId('forked-from')).toContainText('Forked from');
  await expect(bob.page.getByTestId('cell')).toHaveCount(5);
  // The copy arrives without results; its local query runs on open, so its chart draws without Bob pressing
  // anything (the database query waits for Bob to pick a connection of his own).
  await expect(cell(bob.page, 0).getByTestId('run-summary')).toContainText('3 rows', { timeout: 60_000 });
  await expect(cell(bob.page, 2).locator('svg [aria-label="region: south; total: 20"]')).toHaveCount(1, {
    timeout: 30_000
  });
  await expect(cell(bob.page, 1).getByTestId('run-summary')).toHaveCount(0);
  await anon.close();
});
