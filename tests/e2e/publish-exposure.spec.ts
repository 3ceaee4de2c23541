// Before publishing a dashboard with a filter on it, the publish panel says what viewers' browsers would
// download: Ada puts an input and a query that binds it on the dashboard, asks, and sees the uploaded file's table
// with only the columns the query reads (not the one it leaves alone); then she publishes. (Reading the tables over
// HTTP is tested in tests/integration/publish-interactive.test.ts.)
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { signUpWithNotebook, typeSql } from './helpers';

const cell = (page: Page, i: number) => page.getByTestId('cell').nth(i);

test('the publish panel lists the tables and columns viewers would download', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signUpWithNotebook(page, 'Ada Exposure');
  const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-e2e-exposure-'));
  const csv = path.join(dir, 'sales.csv');
  await writeFile(csv, 'region,amount,secret\nnorth,10,a\nsouth,20,b\nnorth,5,c\n');
  await page.getByLabel('Upload files').setInputFiles(csv);
  await expect(page.getByTestId('file')).toContainText('sales');

  await typeSql(
    page,
    0,
    'select region, sum(amount) as total from sales where region = {{region}} group by 1'
  );
  await page.getByRole('button', { name: 'Add Input cell below cell 1' }).click();
  const input = cell(page, 1);
  await input.getByLabel('Result name').fill('region');
  await input.getByLabel('Result name').press('Enter');
  await input.getByLabel('region', { exact: true }).fill('north');

  await page.getByRole('button', { name: 'Dashboard', exact: true }).click();
  await page.getByRole('button', { name: 'Add region as a filter' }).click();
  await page.getByRole('button', { name: 'Add query_1 as a table' }).click();
  await expect(page.getByTestId('dashboard-item')).toHaveCount(2);

  await page.getByTestId('publish-toggle').click();
  const panel = page.getByTestId('publish-panel');
  await panel.getByRole('button', { name: 'What can viewers download?' }).click();
  const tables = panel.getByTestId('exposure-tables');
  await expect(tables).toContainText('sales', { timeout: 60_000 });
  await expect(tables).toContainText('region, amount');
  await expect(tables).not.toContainText('secret');
  await expect(panel).toContainText('Viewers may change {{region}}');

  await page.getByLabel('Who can see it').selectOption({ label: 'Anyone with the link' });
  await panel.getByRole('button', { name: 'Publish', exact: true }).click();
  const link = page.getByTestId('dashboard-link');
  await expect(link).toBeVisible({ timeout: 60_000 });
  const slug = new URL((await link.getAttribute('href'))!, page.url()).pathname.split('/d/')[1]!;

  // A logged-out browser opens the published dashboard.
  const anon = await browser.newContext();
  const viewer = await anon.newPage();
  expect((await viewer.goto(`/d/${slug}`))?.status()).toBe(200);
  await anon.close();
});
