// Cross-filtering in a notebook: chart A (days by weather) is set so that clicking a bar sets the dropdown input
// `category`; a query and a chart that bind {{category}} then show that weather's numbers, which native DuckDB
// computes independently over the original file. Clicking the bar again, or Escape on the chart, clears the input
// and they show every day again. The clicked chart keeps all its bars, the others dimmed.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { invite, person, shownNumber, typeSql } from './helpers';
import { nativeWeather as native, WEATHER } from './weather';

const cell = (page: Page, i: number) => page.getByTestId('cell').nth(i);
/** Every weather when nothing is picked, else the one picked. */
const WHERE = 'where {{category}} is null or weather = {{category}}';
const SUMMARY = `select count(*) as n, round(avg(temp_max), 2) as avg_max from seattle_weather ${WHERE}`;
const BY_YEAR = `select year(date)::varchar as year, count(*)::int as days from seattle_weather ${WHERE} group by 1 order by 1`;

async function runSql(page: Page, i: number, sql: string) {
  await typeSql(page, i, sql);
  await cell(page, i).getByRole('button', { name: 'Run cell' }).click();
  await expect(cell(page, i).getByTestId('run-summary')).toContainText('row', { timeout: 60_000 });
}

/** What native DuckDB says B and C should show for a weather (null: all of them). */
async function expected(weather: string | null) {
  const where = weather === null ? '' : `where weather = '${weather}'`;
  const [summary] = await native<{ n: number; avg_max: number }>(
    `select count(*)::int as n, round(avg(temp_max), 2)::double as avg_max from seattle_weather ${where}`
  );
  const years = await native<{ year: string; days: number }>(
    `select year(date)::varchar as year, count(*)::int as days from seattle_weather ${where} group by 1 order by 1`
  );
  return { summary: summary!, years };
}

async function expectFiltered(page: Page, want: Awaited<ReturnType<typeof expected>>) {
  await expect(cell(page, 3).getByTestId('run-summary')).toContainText('1 row', { timeout: 30_000 });
  const row = cell(page, 3).getByTestId('result-row').first();
  await expect(row).toContainText(shownNumber(want.summary.n), { timeout: 30_000 });
  await expect(row).toContainText(shownNumber(want.summary.avg_max));
  const chart = cell(page, 5);
  await expect(chart.locator('svg [aria-roledescription="bar"]')).toHaveCount(want.years.length, {
    timeout: 30_000
  });
  for (const y of want.years)
    await expect(chart.locator(`[aria-label="year: ${y.year}; days: ${y.days}"]`)).toHaveCount(1, {
      timeout: 30_000
    });
}

/** Each bar's opacity as drawn, by weather. */
const opacities = (bars: Locator) =>
  bars.evaluateAll((els) =>
    Object.fromEntries(
      els.map((e) => [
        /weather: (\w+)/.exec(e.getAttribute('aria-label') ?? '')?.[1],
        getComputedStyle(e).opacity
      ])
    )
  );

test('clicking a bar sets the input its chart is set to, for everyone or a viewer alone; the queries binding it follow; again or Escape clears', async ({
  browser
}) => {
  test.setTimeout(180_000);
  const cleo = await person(browser, 'Cleo Crossfilter');
  const page = cleo.page;
  const workspacePath = new URL(page.url()).pathname;
  const vic = await person(browser, 'Vic Viewer');
  await invite(page, workspacePath, 'viewer', vic.page);
  await page.goto(workspacePath);
  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
  await page.getByLabel('Upload files').setInputFiles(WEATHER);
  await expect(page.getByTestId('file')).toContainText('seattle_weather');

  const weathers = await native<{ weather: string; days: number }>(
    'select weather, count(*)::int as days from seattle_weather group by weather order by weather'
  );
  await runSql(page, 0, 'select weather, count(*)::int as days from seattle_weather group by weather');

  // The input, its choices the weathers.
  await page.getByRole('button', { name: 'Add Input cell below cell 1' }).click();
  const input = cell(page, 1);
  await input.getByLabel('Result name').fill('category');
  await input.getByLabel('Result name').press('Enter');
  await input.getByLabel('Widget').selectOption('dropdown');
  await input.getByLabel('Choices', { exact: true }).selectOption('column');
  const control = input.getByLabel('category', { exact: true });
  await expect(control.locator('option')).toHaveText(['—', ...weathers.map((w) => w.weather)]);

  // Chart A: days by weather, its bars setting the input.
  await page.getByRole('button', { name: 'Add Chart cell below cell 2' }).click();
  const chartA = cell(page, 2);
  await chartA.getByLabel('Data', { exact: true }).selectOption('query_1');
  const bars = chartA.locator('svg [aria-roledescription="bar"]');
  await expect(bars).toHaveCount(weathers.length, { timeout: 30_000 });
  await chartA.getByLabel('Clicking a mark sets').selectOption('category');
  await expect(chartA.getByLabel('to its', { exact: true })).toHaveValue('weather');
  await expect(chartA.getByTestId('cross-filter-hint')).toContainText('Click a mark to set {{category}}');
  const filterChart = chartA.getByRole('group', {
    name: /^Filter chart: clicking a mark, or the arrow keys here, set category/
  });
  await expect(filterChart).toBeVisible({ timeout: 30_000 });

  // B: a query binding the input; C: a chart of another.
  await page.getByRole('button', { name: 'Add SQL cell below cell 3' }).click();
  await runSql(page, 3, SUMMARY);
  await page.getByRole('button', { name: 'Add SQL cell below cell 4' }).click();
  await runSql(page, 4, BY_YEAR);
  await page.getByRole('button', { name: 'Add Chart cell below cell 5' }).click();
  await cell(page, 5).getByLabel('Data', { exact: true }).selectOption('query_3');
  const all = await expected(null);
  await expectFiltered(page, all);
  expect(Object.values(await opacities(bars))).toEqual(weathers.map(() => '1'));

  const bar = (w: string) => {
    const days = weathers.find((x) => x.weather === w)!.days;
    return chartA.locator(`[aria-label="weather: ${w}; days: ${days}"]`);
  };

  // A click on "rain": the input holds it, B and C show rain's numbers, A dims every other bar.
  await bar('rain').click();
  await expect(control).toHaveValue(String(weathers.findIndex((w) => w.weather === 'rain')));
  await expectFiltered(page, await expected('rain'));
  await expect(bars).toHaveCount(weathers.length);
  await expect
    .poll(() => opacities(bars))
    .toEqual(Object.fromEntries(weathers.map((w) => [w.weather, w.weather === 'rain' ? '1' : '0.3'])));

  // Another bar moves the pick; the same bar again clears it, and B and C show every day again.
  await bar('snow').click();
  await expect(control).toHaveValue(String(weathers.findIndex((w) => w.weather === 'snow')));
  await expectFiltered(page, await expected('snow'));
  await bar('snow').click();
  await expect(control).toHaveValue('');
  await expectFiltered(page, all);
  await expect.poll(() => opacities(bars)).toEqual(Object.fromEntries(weathers.map((w) => [w.weather, '1'])));

  // Picked from the input's own control, the chart dims too; Escape on the focused chart clears it.
  await control.selectOption({ label: 'sun' });
  await expectFiltered(page, await expected('sun'));
  await expect.poll(async () => (await opacities(bars)).sun).toBe('1');
  await expect.poll(async () => (await opacities(bars)).fog).toBe('0.3');
  await filterChart.focus();
  await page.keyboard.press('Escape');
  await expect(control).toHaveValue('');
  await expectFiltered(page, all);

  // The arrow keys pick the bars left to right (the chart sorts them by days, most first).
  const order = [...weathers].sort((a, b) => b.days - a.days).map((w) => w.weather);
  const index = (w: string) => String(weathers.findIndex((x) => x.weather === w));
  await page.keyboard.press('ArrowRight');
  await expect(control).toHaveValue(index(order[0]!));
  await page.keyboard.press('ArrowRight');
  await expect(control).toHaveValue(index(order[1]!));
  await expectFiltered(page, await expected(order[1]!));
  await page.keyboard.press('ArrowLeft');
  await expect(control).toHaveValue(index(order[0]!));
  await page.keyboard.press('Escape');
  await expect(control).toHaveValue('');
  await expectFiltered(page, all);
  await expect.poll(() => opacities(bars)).toEqual(Object.fromEntries(weathers.map((w) => [w.weather, '1'])));

  // After a reload the setting and a picked value are still there, and the chart dims as the input says.
  await bar('fog').click();
  await expectFiltered(page, await expected('fog'));
  await page.reload();
  await expect(cell(page, 2).locator('svg [aria-roledescription="bar"]')).toHaveCount(weathers.length, {
    timeout: 30_000
  });
  await expect
    .poll(() => opacities(cell(page, 2).locator('svg [aria-roledescription="bar"]')), { timeout: 30_000 })
    .toEqual(Object.fromEntries(weathers.map((w) => [w.weather, w.weather === 'fog' ? '1' : '0.3'])));

  // A viewer sees the shared pick (its numbers and the dimming); their own click changes only their view.
  const fog = await expected('fog');
  await vic.page.goto(page.url());
  await expect(vic.page.getByTestId('connection-status')).toHaveText('connected');
  const vicBars = cell(vic.page, 2).locator('svg [aria-roledescription="bar"]');
  await expectFiltered(vic.page, fog);
  await expect
    .poll(() => opacities(vicBars), { timeout: 30_000 })
    .toEqual(Object.fromEntries(weathers.map((w) => [w.weather, w.weather === 'fog' ? '1' : '0.3'])));
  const rainDays = weathers.find((x) => x.weather === 'rain')!.days;
  await cell(vic.page, 2).locator(`[aria-label="weather: rain; days: ${rainDays}"]`).click();
  await expectFiltered(vic.page, await expected('rain'));
  await expect(cell(vic.page, 3).getByTestId('run-summary')).toContainText('only for you');
  await expect.poll(async () => (await opacities(vicBars)).rain).toBe('1');
  await expect.poll(async () => (await opacities(vicBars)).fog).toBe('0.3');
  await cell(vic.page, 2)
    .getByRole('group', { name: /^Filter chart/ })
    .press('Escape');
  await expectFiltered(vic.page, all);
  // Cleo's notebook, and so everyone else's, still says fog.
  await expect(cell(page, 1).getByLabel('category', { exact: true })).toHaveValue(
    String(weathers.findIndex((w) => w.weather === 'fog'))
  );
  await expectFiltered(page, fog);
  for (const p of [cleo, vic]) await p.context.close();
});
