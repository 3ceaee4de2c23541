// Charts and text as people make them: pick a result, see bars whose numbers native DuckDB agrees with, edit the
// spec, watch a co-editor's chart follow.
import { DuckDBInstance } from '@duckdb/node-api';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { ownerAndEditor, signUpWithNotebook, typeSql } from './helpers';
import { nativeWeather as native, WEATHER } from './weather';

const cell = (page: Page, i: number) => page.getByTestId('cell').nth(i);

async function runSql(page: Page, i: number, sql: string) {
  await typeSql(page, i, sql);
  await cell(page, i).getByRole('button', { name: 'Run cell' }).click();
  await expect(cell(page, i).getByTestId('run-summary')).toBeVisible({ timeout: 60_000 });
}

const marks = (c: Locator, role: string) => c.locator(`svg [aria-roledescription="${role}"]`);

test('bar and line charts from an uploaded dataset; spec mode; a co-editor sees each change', async ({
  browser
}) => {
  test.setTimeout(120_000);
  const { owner: ada, editor: bob } = await ownerAndEditor(browser, 'Ada Charts', 'Bob Charts');
  const page = ada.page;
  await page.getByLabel('Upload files').setInputFiles(WEATHER);
  await expect(page.getByTestId('file')).toContainText('seattle_weather');

  await runSql(page, 0, 'select weather, count(*) as days from seattle_weather group by weather');
  await page.getByRole('button', { name: 'Add Chart cell below cell 1' }).click();
  const chart = cell(page, 1);
  await expect(chart).toHaveAttribute('data-kind', 'chart');
  await expect(chart).toContainText('Pick the result to chart');
  await chart.getByLabel('Data', { exact: true }).selectOption('query_1');

  // Sensible defaults: a category and a number make sorted bars; each bar says what native DuckDB computes. One
  // row per weather: the plain column, not "Sum of days".
  const want = await native<{ weather: string; days: number }>(
    'select weather, count(*)::int as days from seattle_weather group by weather order by days desc'
  );
  const bars = marks(chart, 'bar');
  await expect(bars).toHaveCount(want.length, { timeout: 30_000 });
  for (const w of want) {
    await expect(chart.locator(`[aria-label="weather: ${w.weather}; days: ${w.days}"]`)).toHaveCount(1);
  }
  const axisOrder = await chart
    .locator('[aria-roledescription="axis"][aria-label^="X-axis"]')
    .getAttribute('aria-label');
  expect(axisOrder).toContain(want.map((w) => w.weather).join(', ')); // sorted by value, largest first
  // Hovering a bar shows its numbers; "Hover shows" adds another column to what it says.
  await chart.getByText('Hover shows').click();
  await chart.getByRole('checkbox', { name: 'weather' }).check();
  await chart.locator(`[aria-label="weather: ${want[0]!.weather}; days: ${want[0]!.days}"]`).hover();
  await expect(page.locator('#vg-tooltip-element')).toContainText('days');
  await expect(page.locator('#vg-tooltip-element')).not.toContainText('Sum of');
  await expect(page.locator('#vg-tooltip-element')).toContainText(String(want[0]!.days));

  // A line chart: temperatures by month.
  await page.getByRole('button', { name: 'Add SQL cell below cell 2' }).click();
  await runSql(page, 2, 'select date, temp_max from seattle_weather');
  await page.getByRole('button', { name: 'Add Chart cell below cell 3' }).click();
  const line = cell(page, 3);
  await line.getByLabel('Data', { exact: true }).selectOption('query_2');
  await expect(line.getByLabel('Mark')).toHaveValue('line');
  await line.getByLabel('X time unit').selectOption('yearmonth');
  await line.getByLabel('Y summary').selectOption('mean');
  await expect(marks(line, 'line mark')).toHaveCount(1, { timeout: 30_000 });
  const months = await native<{ n: number }>(
    "select count(distinct date_trunc('month', date))::int as n from seattle_weather"
  );
  await expect(line.locator('[aria-roledescription="axis"][aria-label^="Y-axis"]')).toHaveAttribute(
    'aria-label',
    /Average of temp_max/
  );
  await expect(line.locator('[aria-roledescription="axis"][aria-label^="X-axis"]')).toHaveAttribute(
    'aria-label',
    /January 2012 to December 2015/
  );
  expect(months[0]!.n).toBe(48);

  // The co-editor sees both charts without running anything.
  await bob.page.goto(page.url());
  await expect(marks(cell(bob.page, 1), 'bar')).toHaveCount(want.length, { timeout: 30_000 });
  await expect(marks(cell(bob.page, 3), 'line mark')).toHaveCount(1, { timeout: 30_000 });

  // Spec mode: Ada gives the bar chart a title in the JSON; Bob's chart shows it.
  await chart.getByRole('button', { name: 'Edit spec' }).click();
  const editor = chart.getByRole('textbox', { name: 'Vega-Lite spec' });
  await expect(editor).toContainText('"mark"');
  await editor.click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('"title": "Days by weather",');
  await expect(chart.locator('svg text', { hasText: 'Days by weather' })).toHaveCount(1);
  await expect(cell(bob.page, 1).locator('svg text', { hasText: 'Days by weather' })).toHaveCount(1);

  // An invalid edit says what is wrong and keeps the last good chart.
  await page.keyboard.type(' oops');
  await expect(chart.getByTestId('spec-error')).toContainText('not valid JSON');
  await expect(bars).toHaveCount(want.length);
  await expect(chart.locator('svg text', { hasText: 'Days by weather' })).toHaveCount(1);
  for (let i = 0; i < 5; i++) await page.keyboard.press('Backspace');
  await expect(chart.getByTestId('spec-error')).toHaveCount(0);

  await ada.context.close();
  await bob.context.close();
});

test('a chart over a 3,000,000-row result is aggregated in DuckDB, and its numbers are DuckDB’s', async ({
  page
}) => {
  test.setTimeout(180_000);
  await signUpWithNotebook(page, 'Big Data Bea');
  const BIG = `select 'shop_' || (i % 7) as shop, (i * 7919) % 10007 as amount, i::int as order_id from range(3000000) t(i)`;
  await cell(page, 0).locator('.cm-content').click();
  await page.keyboard.type(BIG);
  await cell(page, 0).getByRole('button', { name: 'Run cell' }).click();
  await expect(cell(page, 0).getByTestId('run-summary')).toContainText('3,000,000 rows', {
    timeout: 120_000
  });

  await page.getByRole('button', { name: 'Add Chart cell below cell 1' }).click();
  const chart = cell(page, 1);
  await chart.getByLabel('Data', { exact: true }).selectOption('query_1');
  const bars = marks(chart, 'bar');
  await expect(bars).toHaveCount(7, { timeout: 60_000 });
  await expect(chart.getByTestId('chart-note')).toHaveText('Aggregated in DuckDB: 3,000,000 rows → 7 rows');

  // Native DuckDB, computing the same thing independently.
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  const want = (
    await conn.runAndReadAll(`select shop, sum(amount)::bigint as total from (${BIG}) group by shop`)
  ).getRowObjectsJson() as { shop: string; total: string }[];
  conn.closeSync();
  for (const w of want) {
    await expect(chart.locator(`[aria-label="shop: ${w.shop}; Sum of amount: ${w.total}"]`)).toHaveCount(1);
  }

  // A histogram of the same 3M rows: binned in DuckDB, every row in some bar.
  await chart.getByLabel('Mark').selectOption('histogram');
  await chart.getByLabel('Values', { exact: true }).selectOption('amount');
  await expect(chart.getByTestId('chart-note')).toContainText('Aggregated in DuckDB: 3,000,000 rows → ');
  await expect.poll(() => bars.count(), { timeout: 30_000 }).toBeGreaterThan(10);
  const labels = await bars.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  const counted = labels.map((l) => Number(/Count of rows: ([\d.]+)/.exec(l)?.[1] ?? NaN));
  expect(counted.reduce((a, b) => a + b, 0)).toBe(3_000_000);

  // Grouping by a nearly unique column aggregates nothing: the chart samples instead, and says why.
  await chart.getByLabel('Mark').selectOption('line');
  await chart.getByLabel('X', { exact: true }).selectOption('order_id');
  await chart.getByLabel('Y', { exact: true }).selectOption('amount');
  await expect(chart.getByTestId('chart-note')).toHaveText(
    'Showing a random sample of 50,000 of 3,000,000 rows (grouped, it would still be over 50,000 points: try a time unit or bins)',
    { timeout: 30_000 }
  );
  await expect(chart.locator('canvas')).toHaveCount(1); // 50,000 points draw on a canvas, not as SVG
});

test('what someone picks while the first chart is worked out is kept', async ({ page }) => {
  test.setTimeout(120_000);
  await signUpWithNotebook(page, 'Quick Quinn');
  await page.getByLabel('Upload files').setInputFiles(WEATHER);
  await expect(page.getByTestId('file')).toContainText('seattle_weather');
  // first_day would make the first chart a line over time.
  await runSql(
    page,
    0,
    'select weather, count(*) as days, min(date) as first_day from seattle_weather group by weather'
  );
  await expect(cell(page, 0).getByRole('link', { name: 'Parquet' })).toBeVisible({ timeout: 30_000 });

  // After a reload the result is on the server only: the first chart waits for it, held here, while Quinn picks.
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  await page.route('**/api/results/**', async (route) => {
    await held;
    await route.continue();
  });
  await page.reload();
  await page.getByRole('button', { name: 'Add Chart cell below cell 1' }).click();
  const chart = cell(page, 1);
  await chart.getByLabel('Data', { exact: true }).selectOption('query_1');
  await chart.getByLabel('Mark').selectOption('bar');
  await chart.getByLabel('X', { exact: true }).selectOption('weather');
  await chart.getByLabel('Y', { exact: true }).selectOption('days');
  release();

  await expect(marks(chart, 'bar')).toHaveCount(5, { timeout: 30_000 });
  await expect(chart.getByLabel('Mark')).toHaveValue('bar');
  await expect(chart.getByLabel('X', { exact: true })).toHaveValue('weather');
  await expect(chart.getByLabel('Y', { exact: true })).toHaveValue('days');
});
