// Getting things out of a notebook: a result as CSV and Parquet, a chart as PNG and SVG, the whole notebook as
// an HTML report that opens offline. Every file is opened and checked, the tables by native DuckDB.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { signUpWithNotebook } from './helpers';
import { nativeWeather as native, WEATHER } from './weather';

const QUERY =
  'select weather, count(*) as days, avg(temp_max) as avg_max, min(date) as first_day from seattle_weather group by weather order by weather';

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; file: string }> {
  const event = page.waitForEvent('download');
  await click();
  const d = await event;
  return { name: d.suggestedFilename(), file: (await d.path())! };
}

test('a result as CSV and Parquet, a chart as PNG and SVG, the notebook as an offline HTML report', async ({
  page,
  browser
}) => {
  test.setTimeout(120_000);
  await signUpWithNotebook(page, 'Exporting Eve');
  await page.getByLabel('Notebook title').fill('Seattle weather');
  await page.getByLabel('Upload files').setInputFiles(WEATHER);
  await expect(page.getByTestId('file')).toContainText('seattle_weather');

  const sqlCell = page.getByTestId('cell').nth(0);
  await sqlCell.locator('.cm-content').click();
  await page.keyboard.type(QUERY);
  await sqlCell.getByRole('button', { name: 'Run cell' }).click();
  await expect(sqlCell.getByTestId('run-summary')).toContainText('5 rows', { timeout: 60_000 });
  const want = await native<{ weather: string; days: string; avg_max: number; first_day: string }>(QUERY);

  // CSV: native DuckDB reads the download back to the same table.
  const csv = await download(page, () => sqlCell.getByRole('button', { name: 'CSV' }).click());
  expect(csv.name).toBe('query_1.csv');
  const fromCsv = await native<(typeof want)[number]>(
    `select * from read_csv_auto('${csv.file}') order by weather`
  );
  expect(fromCsv).toEqual(want);

  // Parquet (written on the server from the stored result): same rows, same types.
  const parquetLink = sqlCell.getByRole('link', { name: 'Parquet' });
  await expect(parquetLink).toBeVisible({ timeout: 30_000 });
  const pq = await download(page, () => parquetLink.click());
  expect(pq.name).toBe('query_1.parquet');
  expect((await readFile(pq.file)).subarray(0, 4).toString()).toBe('PAR1');
  expect(await native(`select * from read_parquet('${pq.file}') order by weather`)).toEqual(want);
  const types = await native<{ column_name: string; column_type: string }>(
    `select column_name, column_type from (describe select * from read_parquet('${pq.file}'))`
  );
  expect(types.map((t) => t.column_type)).toEqual(['VARCHAR', 'BIGINT', 'DOUBLE', 'DATE']);

  // A chart, then PNG and SVG.
  await page.getByRole('button', { name: 'Add Chart cell below cell 1' }).click();
  const chart = page.getByTestId('cell').nth(1);
  await chart.getByLabel('Data', { exact: true }).selectOption('query_1');
  // first_day makes the default a line over time; Eve wants bars per weather.
  await chart.getByLabel('Mark').selectOption('bar');
  await chart.getByLabel('X', { exact: true }).selectOption('weather');
  await chart.getByLabel('Y', { exact: true }).selectOption('days');
  await chart.getByLabel('Chart title').fill('Days by weather');
  await chart.getByLabel('Chart title').press('Enter');
  await expect(chart.locator('svg [aria-roledescription="bar"]')).toHaveCount(5, { timeout: 30_000 });
  const png = await download(page, () => chart.getByRole('button', { name: 'PNG' }).click());
  expect(png.name).toBe('Days-by-weather.png');
  const pngBytes = await readFile(png.file);
  expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
  expect(pngBytes.readUInt32BE(16)).toBeGreaterThan(100); // width, from the IHDR chunk
  const svg = await download(page, () => chart.getByRole('button', { name: 'SVG' }).click());
  const svgText = await readFile(svg.file, 'utf8');
  expect(svgText.startsWith('<svg')).toBe(true);
  for (const w of want) expect(svgText).toContain(`weather: ${w.weather}; Sum of days: ${w.days}`);

  // A text cell on top, then the report.
  await page.getByTestId('cell').nth(0).focus();
  await page.keyboard.press('Escape');
  await page.keyboard.press('a');
  await page.keyboard.press('Escape');
  await page.keyboard.press('m');
  await page.keyboard.press('Enter');
  await page.keyboard.insertText('# Weather in Seattle\n\nRain and sun, **mostly**.');
  await page.keyboard.press('Escape');
  const report = await download(page, () => page.getByRole('button', { name: 'Export report' }).click());
  expect(report.name).toBe('Seattle-weather.html');
  const html = await readFile(report.file, 'utf8');
  expect(html).not.toMatch(/<script/i);

  // It opens with the network off: text, the query and its rows, the chart.
  const offline = await browser.newContext({ offline: true });
  const reader = await offline.newPage();
  await mkdir(test.info().outputDir, { recursive: true });
  const saved = path.join(test.info().outputDir, report.name); // a name ending .html, so it opens as a page
  await copyFile(report.file, saved);
  await reader.goto(`file://${saved}`);
  await expect(reader.getByRole('heading', { name: 'Seattle weather', level: 1 })).toBeVisible();
  await expect(reader.getByRole('heading', { name: 'Weather in Seattle' })).toBeVisible();
  await expect(reader.locator('strong')).toHaveText('mostly');
  await expect(reader.locator('pre code')).toContainText('group by weather');
  await expect(reader.locator('tbody tr')).toHaveCount(5);
  await expect(reader.locator('tbody tr').first()).toContainText(want[0]!.weather);
  await expect(reader.locator('svg [aria-roledescription="bar"]')).toHaveCount(5);
  await expect(reader.locator('svg text', { hasText: 'Days by weather' })).toHaveCount(1);
  await offline.close();
});
