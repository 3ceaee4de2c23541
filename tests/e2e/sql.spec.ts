// Upload a real dataset, query it in the browser with DuckDB-WASM, build on results, share them with a co-editor;
// every number is checked against native DuckDB over the original file.
import { expect, test } from '@playwright/test';
import { ownerAndEditor, signUp, typeSql, shownNumber } from './helpers';
import { nativeWeather as native, WEATHER } from './weather';

const BY_WEATHER =
  'select weather, count(*) as days, round(avg(temp_max), 2) as avg_max from seattle_weather';
const GROUP = ' group by weather order by weather';

test('query an uploaded CSV, build on the result, go stale and re-run; a co-editor sees results without running', async ({
  browser
}) => {
  test.setTimeout(120_000);
  const { owner: ada, editor: bob } = await ownerAndEditor(browser, 'Ada Analyst', 'Bob Coeditor');
  const page = ada.page;
  await expect(page.getByText('Drop CSV, TSV, JSON, Parquet or Excel files here')).toBeVisible();

  const [count] = await native<{ n: number }>('select count(*)::int as n from seattle_weather');
  await page.getByLabel('Upload files').setInputFiles(WEATHER);
  const file = page.getByTestId('file');
  await expect(file).toContainText('seattle_weather');
  await expect(file).toContainText(`${count!.n.toLocaleString('en-US')} rows`);
  await file.locator('summary').click();
  await expect(page.getByRole('list', { name: 'Columns of seattle_weather' })).toContainText(
    'temp_max DOUBLE'
  );

  // An aggregate over the file; the grid shows exactly what native DuckDB computes.
  const want = await native<{ weather: string; days: number; avg_max: number }>(
    `${BY_WEATHER}${GROUP}`.replace('count(*)', 'count(*)::int')
  );
  await typeSql(page, 0, BY_WEATHER + GROUP);
  await page.getByRole('button', { name: 'Run cell' }).first().click();
  const first = page.getByTestId('cell').nth(0);
  await expect(first.getByTestId('run-summary')).toContainText(`${want.length} rows`, { timeout: 60_000 });
  const rows = first.getByTestId('result-row');
  await expect(rows).toHaveCount(want.length);
  for (const [i, w] of want.entries()) {
    await expect(rows.nth(i)).toContainText(w.weather);
    await expect(rows.nth(i)).toContainText(shownNumber(w.days));
    await expect(rows.nth(i)).toContainText(shownNumber(w.avg_max));
  }

  // Shift+Enter at the last cell runs it and opens a new one, which reads the first result by name.
  await first.locator('.cm-content').click();
  await page.keyboard.press('Shift+Enter');
  await expect(page.getByTestId('cell')).toHaveCount(2);
  await page.keyboard.type('select sum(days) as total from query_1');
  await page.keyboard.press('Shift+Enter');
  const second = page.getByTestId('cell').nth(1);
  await expect(second.getByTestId('result-row').first()).toContainText(shownNumber(count!.n), {
    timeout: 30_000
  });

  // The co-editor opens the notebook and sees both results without running anything.
  await bob.page.goto(page.url());
  await expect(bob.page.getByTestId('connection-status')).toHaveText('connected');
  const bobRows = bob.page.getByTestId('cell').nth(0).getByTestId('result-row');
  await expect(bobRows).toHaveCount(want.length);
  await expect(bobRows.first()).toContainText(want[0]!.weather);
  await expect(bob.page.getByTestId('cell').nth(0).getByTestId('run-summary')).toContainText(
    'run by Ada Analyst'
  );
  await expect(bob.page.getByTestId('cell').nth(1).getByTestId('result-row').first()).toContainText(
    shownNumber(count!.n)
  );
  // Bob runs the second cell himself: his DuckDB loads Ada's stored result of query_1, which he never ran.
  await bob.page.getByTestId('cell').nth(1).getByRole('button', { name: 'Run cell' }).click();
  await expect(bob.page.getByTestId('cell').nth(1).getByTestId('run-summary')).not.toContainText('run by', {
    timeout: 30_000
  });
  await expect(bob.page.getByTestId('cell').nth(1).getByTestId('result-row').first()).toContainText(
    shownNumber(count!.n)
  );

  // Editing the first cell makes both stale, for both people; "run stale cells" brings them up to date.
  await typeSql(page, 0, `${BY_WEATHER} where temp_max > 10${GROUP}`);
  await expect(first.getByTestId('stale')).toContainText('The SQL changed since this ran.');
  await expect(second.getByTestId('stale')).toContainText('reads query_1, which is stale');
  await expect(bob.page.getByTestId('cell').nth(1).getByTestId('stale')).toBeVisible();
  await page.getByTestId('run-stale').click();
  const [warm] = await native<{ n: number }>(
    'select count(*)::int as n from seattle_weather where temp_max > 10'
  );
  await expect(second.getByTestId('result-row').first()).toContainText(shownNumber(warm!.n), {
    timeout: 30_000
  });
  await expect(page.getByTestId('stale')).toHaveCount(0);
  await expect(page.getByTestId('run-stale')).toHaveCount(0);
  await expect(bob.page.getByTestId('cell').nth(1).getByTestId('result-row').first()).toContainText(
    shownNumber(warm!.n)
  );

  // Invalid SQL: DuckDB's message, and the spot it points at is marked in the editor.
  await second.locator('.cm-content').click();
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('select total,\n  nope from query_2');
  await page.getByRole('button', { name: 'Run cell' }).nth(2).click();
  const third = page.getByTestId('cell').nth(2);
  await expect(third.getByTestId('run-error')).toContainText('nope');
  await expect(third.getByTestId('run-error')).toContainText('LINE 2:');
  await expect(third.locator('.cm-query-error')).toHaveText('nope');

  // Autocomplete knows the tables (files and results) and their columns.
  await typeSql(page, 2, 'select * from seattle_w');
  await page.keyboard.press('Control+Space');
  const option = (label: string) => page.locator('.cm-tooltip-autocomplete li', { hasText: label }).first();
  await option('seattle_weather').click();
  await page.keyboard.type(' where seattle_weather.temp_m');
  await option('temp_max').click();
  await expect
    .poll(() => page.getByTestId('cell').nth(2).locator('.cm-content').innerText())
    .toContain('from seattle_weather where seattle_weather.temp_max');
  await typeSql(page, 2, 'select query_1.avg_');
  await expect(page.locator('.cm-tooltip-autocomplete')).toContainText('avg_max');

  await ada.context.close();
  await bob.context.close();
});

test('bad input: ragged, binary and empty uploads say what is wrong; a deleted file says so when queried', async ({
  page
}) => {
  test.setTimeout(90_000);
  await signUp(page, 'Careful');
  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
  const uploadOne = (name: string, buffer: Buffer) =>
    page.getByLabel('Upload files').setInputFiles({ name, mimeType: 'text/csv', buffer });
  const uploadError = page.getByTestId('upload').getByRole('alert');
  const dismiss = () => page.getByTestId('upload').getByRole('button', { name: 'Dismiss' }).click();

  await uploadOne('ragged.csv', Buffer.from('a,b,c\n1,2,3\n4,5\n'));
  await expect(uploadError).toContainText('Line 3: Expected Number of Columns: 3 Found: 2');
  await dismiss();
  await uploadOne(
    'photo.csv',
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0, 1, 2])
  );
  await expect(uploadError).toContainText('binary data');
  await dismiss();
  await uploadOne('empty.csv', Buffer.alloc(0));
  await expect(uploadError).toContainText('The file is empty.');
  await dismiss();
  await expect(page.getByTestId('file')).toHaveCount(0);

  await uploadOne('tiny.csv', Buffer.from('x,y\n1,2\n3,4\n'));
  await expect(page.getByTestId('file')).toContainText('tiny');
  await typeSql(page, 0, 'select sum(x) as s from tiny');
  await page.getByRole('button', { name: 'Run cell' }).first().click();
  await expect(page.getByTestId('result-row').first()).toContainText('4', { timeout: 60_000 });

  await page.getByTestId('file').locator('summary').click();
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete tiny' }).click();
  await expect(page.getByTestId('file')).toHaveCount(0);
  await page.getByRole('button', { name: 'Run cell' }).first().click();
  await expect(page.getByTestId('run-error')).toContainText(
    'tiny was an uploaded file that has been deleted'
  );
});

test('a 100,000-row result scrolls and sorts; a long query shows its elapsed time and can be cancelled', async ({
  page
}) => {
  test.setTimeout(90_000);
  await signUp(page, 'Scroller');
  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');

  await typeSql(page, 0, 'select range as n, range % 7 as bucket from range(100000)');
  await page.getByRole('button', { name: 'Run cell' }).first().click();
  const cell = page.getByTestId('cell').nth(0);
  await expect(cell.getByTestId('run-summary')).toContainText('100,000 rows', { timeout: 60_000 });
  // Only the rows in view are in the page.
  expect(await cell.getByTestId('result-row').count()).toBeLessThan(60);
  const scroller = cell.locator('.scroll');
  await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(cell.getByTestId('result-row').last()).toContainText('99,999');

  // Sort by n, descending: the largest comes first.
  await scroller.evaluate((el) => (el.scrollTop = 0));
  const header = cell.getByRole('columnheader', { name: /^n/ });
  await header.click();
  await header.click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  await expect(cell.getByTestId('result-row').first()).toContainText('99,999');

  // A query that would run for minutes: elapsed time ticks, Cancel stops it.
  await cell.locator('.cm-content').click();
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('select sum(a.range * b.range) as s from range(200000) a, range(200000) b');
  const slow = page.getByTestId('cell').nth(1);
  await slow.getByRole('button', { name: 'Run cell' }).click();
  await expect(slow.getByRole('status')).toContainText(/Running… \d/);
  await expect(slow.getByRole('status')).toContainText(/Running… (\d+(\.\d)? s)/, { timeout: 10_000 });
  await slow.getByRole('button', { name: 'Cancel' }).click();
  await expect(slow.getByTestId('run-error')).toHaveText('Cancelled.', { timeout: 15_000 });
  // Cancelling right away (before the query reaches the engine) works too, and the engine stays usable.
  await slow.getByRole('button', { name: 'Run cell' }).click();
  await slow.getByRole('button', { name: 'Cancel' }).click();
  await expect(slow.getByTestId('run-error')).toHaveText('Cancelled.', { timeout: 15_000 });
  await typeSql(page, 1, 'select max(bucket) as top from query_1');
  await slow.getByRole('button', { name: 'Run cell' }).click();
  await expect(slow.getByTestId('result-row').first()).toContainText('6', { timeout: 30_000 });
});

test('results read well: grouped numbers, SQL type names, whole timestamps; long SQL wraps unless turned off', async ({
  page
}) => {
  test.setTimeout(90_000);
  await signUp(page, 'Reader');
  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');

  const sql =
    "select 370248 as total, 123456789012::decimal(38,0) as big, 2001 as year, 'north' as region_name_that_is_long, " +
    "timestamp '2001-03-01 00:00:00' as departed_at, 0.125 as share, 42 as order_id";
  await typeSql(page, 0, sql);
  const cell = page.getByTestId('cell').nth(0);
  await cell.getByRole('button', { name: 'Run cell' }).click();
  await expect(cell.getByTestId('run-summary')).toContainText('1 row', { timeout: 60_000 });
  const values = await cell.getByTestId('result-row').first().getByRole('cell').allTextContents();
  expect(values).toEqual([
    '370,248',
    '123,456,789,012',
    '2001',
    'north',
    '2001-03-01 00:00:00',
    '0.125',
    '42'
  ]);
  await expect(cell.getByRole('columnheader', { name: /^big/ })).toContainText('decimal(38,0)');
  // Nothing is cut off: each value fits its column.
  const cut = await cell
    .getByTestId('result-row')
    .first()
    .getByRole('cell')
    .evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent));
  expect(cut).toEqual([]);

  // The query is one long line: it wraps in the editor (a few visual lines), and unwraps when turned off.
  const editor = cell.locator('.cm-content');
  const height = () => editor.evaluate((e) => e.getBoundingClientRect().height);
  const lineHeight = await cell
    .locator('.cm-line')
    .first()
    .evaluate((e) => parseFloat(getComputedStyle(e).lineHeight));
  expect(await height()).toBeGreaterThan(lineHeight * 2);
  await page.getByLabel('Wrap lines').uncheck();
  await expect.poll(height).toBeLessThan(lineHeight * 2);
  await page.screenshot({ path: test.info().outputPath('results-read-well.png') });
  await page.reload();
  await expect(page.getByLabel('Wrap lines')).not.toBeChecked(); // remembered in this browser
  await page.getByLabel('Wrap lines').check();
  await expect.poll(height).toBeGreaterThan(lineHeight * 2);
});
