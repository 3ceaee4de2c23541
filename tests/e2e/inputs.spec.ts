// Input cells drive queries: an editor picks a dropdown value (its choices read from a result) and the query that
// binds it re-runs for everyone without anyone pressing Run; a hostile value is only a value; a viewer's choice
// stays in their browser. Numbers are checked against native DuckDB over the original file.
import { expect, test, type Page } from '@playwright/test';
import { invite, person, shownNumber, signUpWithNotebook, typeSql } from './helpers';
import { nativeWeather as native, WEATHER } from './weather';

const BOUND =
  'select count(*) as n, round(avg(temp_max), 2) as avg_max from seattle_weather where weather = {{pick}}';
/** Reads the bound query's result: the chain an input's change must follow past the cell that binds it. */
const CHAINED = "select 'days' as what, n from query_2";
const cell = (page: Page, i: number) => page.getByTestId('cell').nth(i);
/** The chart of CHAINED: one bar whose number is the bound query's count. */
const expectBar = async (page: Page, n: number) => {
  const chart = cell(page, 4);
  await expect(chart.locator('svg [aria-roledescription="bar"]')).toHaveCount(1, { timeout: 30_000 });
  await expect(chart.locator(`[aria-label="what: days; n: ${n}"]`)).toHaveCount(1, { timeout: 30_000 });
};
const expectRow = async (page: Page, want: { n: number; avg_max: number | null }) => {
  const row = cell(page, 2).getByTestId('result-row').first();
  await expect(row).toContainText(shownNumber(want.n), { timeout: 30_000 });
  if (want.avg_max !== null) await expect(row).toContainText(shownNumber(want.avg_max));
};
const nativeFor = async (weather: string) =>
  (
    await native<{ n: number; avg_max: number }>(
      `select count(*)::int as n, round(avg(temp_max), 2) as avg_max from seattle_weather where weather = '${weather}'`
    )
  )[0]!;

test('a dropdown input re-runs the query that binds it, its readers and their chart, for editors; a viewer changes it for themselves', async ({
  browser
}) => {
  test.setTimeout(120_000);
  const ada = await person(browser, 'Ada Inputs');
  const workspacePath = new URL(ada.page.url()).pathname;
  const bob = await person(browser, 'Bob Inputs');
  const vic = await person(browser, 'Vic Inputs');
  await invite(ada.page, workspacePath, 'editor', bob.page);
  await invite(ada.page, workspacePath, 'viewer', vic.page);
  await ada.page.goto(workspacePath);
  await ada.page.getByRole('button', { name: 'New notebook' }).click();
  const page = ada.page;
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
  await page.getByLabel('Upload files').setInputFiles(WEATHER);
  await expect(page.getByTestId('file')).toContainText('seattle_weather');

  // The choices: the distinct values of a column of an earlier result.
  await typeSql(page, 0, 'select distinct weather from seattle_weather order by 1');
  await page.getByRole('button', { name: 'Run cell' }).first().click();
  await expect(cell(page, 0).getByTestId('run-summary')).toContainText('5 rows', { timeout: 60_000 });

  await page.getByRole('button', { name: 'Add Input cell below cell 1' }).click();
  const input = cell(page, 1);
  await input.getByLabel('Result name').fill('pick');
  await input.getByLabel('Result name').press('Enter');
  await input.getByLabel('Widget').selectOption('dropdown');
  await input.getByLabel('Choices', { exact: true }).selectOption('column');
  const pick = input.getByLabel('pick', { exact: true });
  await expect(pick.locator('option')).toHaveText(['—', 'drizzle', 'fog', 'rain', 'snow', 'sun']);

  await page.getByRole('button', { name: 'Add SQL cell below cell 2' }).click();
  await typeSql(page, 2, BOUND);
  await page.getByRole('button', { name: 'Run cell' }).nth(1).click();
  await expectRow(page, { n: 0, avg_max: null }); // nothing picked: NULL matches no row

  // Downstream of the bound query: a cell reading its result, and a chart of that cell.
  await page.getByRole('button', { name: 'Add SQL cell below cell 3' }).click();
  await typeSql(page, 3, CHAINED);
  await page.getByRole('button', { name: 'Run cell' }).nth(2).click();
  await expect(cell(page, 3).getByTestId('run-summary')).toContainText('1 row', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Add Chart cell below cell 4' }).click();
  await cell(page, 4).getByLabel('Data', { exact: true }).selectOption('query_3');
  await expectBar(page, 0);

  const url = page.url();
  await bob.page.goto(url);
  await vic.page.goto(url);
  for (const p of [bob.page, vic.page])
    await expect(p.getByTestId('connection-status')).toHaveText('connected');

  // Ada picks a value; the query re-runs by itself, and Bob sees the stored result of that one run.
  const rain = await nativeFor('rain');
  await pick.selectOption({ label: 'rain' });
  await expectRow(page, rain);
  await expectRow(bob.page, rain);
  for (const p of [page, bob.page]) await expectBar(p, rain.n);
  await expect(cell(bob.page, 2).getByTestId('run-summary')).toContainText('run by Ada Inputs');
  await expect(cell(bob.page, 1).getByLabel('pick', { exact: true })).toHaveValue('2');

  // The viewer picks another value for themselves: their query runs in their browser; nobody else's changes.
  const sun = await nativeFor('sun');
  const vicPick = cell(vic.page, 1).getByLabel('pick', { exact: true });
  await expect(vicPick.locator('option')).toHaveCount(6);
  await vicPick.selectOption({ label: 'sun' });
  await expectRow(vic.page, sun);
  await expect(cell(vic.page, 2).getByTestId('run-summary')).toContainText('only for you');
  // The whole chain follows in the viewer's browser: the cell reading the result, and its chart.
  await expect(cell(vic.page, 3).getByTestId('result-row').first()).toContainText(shownNumber(sun.n));
  await expect(cell(vic.page, 3).getByTestId('run-summary')).toContainText('only for you');
  await expectBar(vic.page, sun.n);
  await page.waitForTimeout(1000);
  await expectRow(page, rain);
  await expectBar(page, rain.n);
  await expect(pick).toHaveValue('2');

  // A hostile value is bound as a value: no rows, and the table is still there.
  await input.getByLabel('Widget').selectOption('text');
  await input.getByLabel('pick', { exact: true }).fill("'; drop table seattle_weather; --");
  await expectRow(page, { n: 0, avg_max: null });
  await expectRow(bob.page, { n: 0, avg_max: null });
  await page.getByRole('button', { name: 'Run cell' }).first().click();
  await expect(cell(page, 0).getByTestId('run-summary')).toContainText('5 rows', { timeout: 30_000 });

  for (const p of [ada, bob, vic]) await p.context.close();
});

test('a dropdown whose choices come from a result follows that result when it runs again', async ({
  page
}) => {
  test.setTimeout(90_000);
  await signUpWithNotebook(page, 'Dot Dropdown');
  await page.getByLabel('Upload files').setInputFiles(WEATHER);
  await expect(page.getByTestId('file')).toContainText('seattle_weather');
  const runSource = async (sql: string, rows: string) => {
    await typeSql(page, 0, sql);
    await cell(page, 0).getByRole('button', { name: 'Run cell' }).click();
    await expect(cell(page, 0).getByTestId('run-summary')).toContainText(rows, { timeout: 60_000 });
  };
  await runSource("select distinct weather from seattle_weather where weather <> 'sun' order by 1", '4 rows');

  await page.getByRole('button', { name: 'Add Input cell below cell 1' }).click();
  const input = cell(page, 1);
  await input.getByLabel('Result name').fill('kind');
  await input.getByLabel('Result name').press('Enter');
  await input.getByLabel('Widget').selectOption('dropdown');
  await input.getByLabel('Choices', { exact: true }).selectOption('column');
  const kind = input.getByLabel('kind', { exact: true });
  await expect(kind.locator('option')).toHaveText(['—', 'drizzle', 'fog', 'rain', 'snow']);

  // Another filter, run again: the choices are the new result's values, not the first run's.
  await runSource(
    "select distinct weather from seattle_weather where weather in ('sun', 'rain') order by 1",
    '2 rows'
  );
  await expect(kind.locator('option')).toHaveText(['—', 'rain', 'sun']);
});

test('an unknown input name in SQL is underlined with the nearest name; a known one is not', async ({
  page
}) => {
  test.setTimeout(60_000);
  await signUpWithNotebook(page, 'Una Underline');
  await page.getByRole('button', { name: 'Add Input cell below cell 1' }).click();
  const input = cell(page, 1);
  await input.getByLabel('Result name').fill('region');
  await input.getByLabel('Result name').press('Enter');
  await expect(input.getByLabel('region', { exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'Add SQL cell below cell 2' }).click();
  const sql = cell(page, 2);
  await typeSql(page, 2, "select 'West' = {{regoin}} as hit");
  const underline = sql.locator('.cm-lintRange-error');
  await expect(underline).toHaveCount(1);
  await expect(underline).toContainText('regoin');
  await underline.hover();
  await expect(page.locator('.cm-tooltip-lint')).toContainText(
    'There is no input named regoin — did you mean region?'
  );

  await typeSql(page, 2, "select 'West' = {{region}} as hit");
  await expect(sql.locator('.cm-input-ref')).toHaveAttribute('title', 'Bound to the input region');
  await expect(sql.locator('.cm-lintRange-error')).toHaveCount(0);
  await expect(page.locator('.cm-tooltip-lint')).toHaveCount(0);
});
