// A published dashboard whose base table has a list column, which the viewer's browser cannot read from its
// Parquet (range requests carry flat columns only, and DuckDB-WASM has no Parquet reader without fetching an
// extension from another host). When a viewer changes the filter, the card reading the list column says it could
// not be recomputed, while the card over the same table's flat columns follows the filter; the engine is not
// asked anything it would trap on, so it is never restarted. The filter is a text box: a dropdown's choices
// would have been precomputed at publish (dashboard-answers.spec.ts), list column and all.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import {
  newNotebookWithFile,
  person,
  publishForAnyone,
  renameResult as rename,
  runCell as run,
  shownNumber,
  typeSql
} from './helpers';

const REGIONS = ['East', 'North', 'West'];
const rows = Array.from({ length: 30 }, (_, i) => ({
  region: REGIONS[i % 3]!,
  tags: Array.from({ length: (i % 3) + 1 }, (_, k) => `t${k}`),
  amount: i + 1
}));
const sumFor = (region: string) => rows.filter((r) => r.region === region).reduce((a, r) => a + r.amount, 0);

const cell = (page: Page, i: number) => page.getByTestId('cell').nth(i);

test('a card over a list column says it cannot follow the filter; the flat card does, without an engine restart', async ({
  browser
}) => {
  test.setTimeout(240_000);
  const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-e2e-nested-'));
  const file = path.join(dir, 'sales.json');
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

  const ada = await person(browser, 'Ada Nested');
  const page = ada.page;
  await newNotebookWithFile(page, file);

  await page.getByRole('button', { name: 'Add Input cell below cell 1' }).click();
  await rename(page, 1, 'region');
  await cell(page, 1).getByLabel('region', { exact: true }).fill('East');
  await rename(page, 0, 'tagged');
  await typeSql(page, 0, 'select sum(len(tags)) as tags from sales where region = {{region}}');
  await run(page, 0);
  await page.getByRole('button', { name: 'Add SQL cell below cell 2' }).click();
  await rename(page, 2, 'amounts');
  await typeSql(page, 2, 'select sum(amount) as amount from sales where region = {{region}}');
  await run(page, 2);

  await page.getByRole('button', { name: 'Dashboard', exact: true }).click();
  for (const label of ['Add region as a filter', 'Add tagged as a number', 'Add amounts as a number'])
    await page.getByRole('button', { name: label }).click();
  const url = await publishForAnyone(page);

  const viewer = await (await browser.newContext()).newPage();
  await viewer.goto(url);
  await expect(viewer.locator('html[data-hydrated="true"]')).toHaveCount(1);
  const numbers = viewer.getByTestId('big-number-value');
  await expect(numbers.filter({ hasText: shownNumber(sumFor('East')) })).toHaveCount(1);

  await viewer.getByLabel('region', { exact: true }).fill('West');
  await expect(numbers.filter({ hasText: shownNumber(sumFor('West')) })).toHaveCount(1, { timeout: 60_000 });
  await expect(viewer.getByTestId('card-error')).toHaveCount(1, { timeout: 60_000 });
  await expect(viewer.getByTestId('card-error')).toContainText('could not be recomputed');
  // Once more: the flat card follows again, and the engine started once only (a trap would have restarted it).
  await viewer.getByLabel('region', { exact: true }).fill('North');
  await expect(numbers.filter({ hasText: shownNumber(sumFor('North')) })).toHaveCount(1, {
    timeout: 60_000
  });
  await expect(viewer.getByTestId('card-error')).toHaveCount(1);
  expect(await viewer.evaluate(() => performance.getEntriesByName('sheaf:engine:start').length)).toBe(1);
  await viewer.context().close();
});
