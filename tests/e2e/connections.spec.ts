// A team's own PostgreSQL: add it (a wrong password is caught by "Test connection"), browse its schema, run a
// query on it, and join its result with an uploaded CSV in a local cell. Numbers come from the database itself.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { sampleDb, type SampleDb } from '../integration/helpers/sample-db';
import { invite, person, typeSql, shownNumber } from './helpers';

let sample: SampleDb;
test.beforeAll(async () => {
  sample = await sampleDb(10_000);
});
test.afterAll(async () => {
  await sample?.cleanup();
});

test('add a connection, browse its schema, run on it, join its result with an uploaded CSV; a co-editor sees both', async ({
  browser
}) => {
  test.setTimeout(120_000);
  const dana = await person(browser, 'Dana Data');
  const page = dana.page;
  const workspaceUrl = new URL(page.url()).pathname;
  await page.goto(`${workspaceUrl}/connections`);
  await page.getByRole('button', { name: 'Add a connection' }).click();
  const name = 'Warehouse';
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Host').fill(sample.host);
  await page.getByLabel('Port').fill(String(sample.port));
  await page.getByLabel('Database', { exact: true }).fill(sample.database);
  await page.getByLabel('User').fill(sample.role);
  await page.getByLabel('SSL').selectOption('disable');
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('test-result')).toContainText(
    `refused the password for user "${sample.role}"`
  );
  await page.getByLabel('Password').fill(sample.password);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('test-result')).toContainText('Connected to PostgreSQL');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('connection-row')).toContainText(name);

  // The password never comes back: not in the API, not in the page.
  const listed = await page.request.get(`/api/workspaces${workspaceUrl.slice(2)}/connections`);
  expect(listed.ok()).toBe(true);
  expect(await listed.text()).not.toContain(sample.password);
  await page.reload();
  expect(await page.content()).not.toContain(sample.password);

  // A notebook: a CSV of targets per region, uploaded.
  const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-e2e-'));
  const csv = path.join(dir, 'targets.csv');
  await writeFile(csv, 'region,target\nnorth,2000\nsouth,2600\neast,2400\nwest,3000\n');
  await page.goto(workspaceUrl);
  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
  const notebookUrl = page.url();
  await page.getByLabel('Upload files').setInputFiles(csv);
  await expect(page.getByTestId('file')).toContainText('targets');

  // The schema browser lists the database's tables.
  const databases = page.getByRole('complementary', { name: 'Connections' });
  await databases.getByText(name, { exact: true }).click();
  await expect(databases.getByTestId('schema-tables')).toContainText(`${sample.schema}.orders`);

  // A cell that runs on the connection.
  const first = page.getByTestId('cell').nth(0);
  await first.getByLabel('Run on').selectOption({ label: name });
  const want = await sample.admin.unsafe(
    `select region, count(*)::int as n from ${sample.schema}.orders group by region order by region`
  );
  await typeSql(
    page,
    0,
    `select region, count(*) as n from ${sample.schema}.orders group by region order by region`
  );
  await first.getByRole('button', { name: 'Run cell' }).click();
  await expect(first.getByTestId('run-summary')).toContainText(`${want.length} rows`, { timeout: 30_000 });
  const rows = first.getByTestId('result-row');
  await expect(rows).toHaveCount(want.length);
  for (const [i, w] of want.entries()) {
    await expect(rows.nth(i)).toContainText(w.region);
    await expect(rows.nth(i)).toContainText(shownNumber(w.n));
  }

  // A local cell joins the database's result with the uploaded file, in DuckDB in the browser.
  await first.locator('.cm-content').click();
  await page.keyboard.press('Shift+Enter');
  await expect(page.getByTestId('cell')).toHaveCount(2);
  const second = page.getByTestId('cell').nth(1);
  await expect(second.getByLabel('Run on')).toHaveValue('local');
  await page.keyboard.type(
    'select o.region, o.n - t.target as gap from query_1 o join targets t on t.region = o.region order by o.region'
  );
  await second.getByRole('button', { name: 'Run cell' }).click();
  const targets: Record<string, number> = { north: 2000, south: 2600, east: 2400, west: 3000 };
  const joined = second.getByTestId('result-row');
  await expect(joined).toHaveCount(want.length, { timeout: 60_000 });
  for (const [i, w] of want.entries()) {
    await expect(joined.nth(i)).toContainText(w.region);
    await expect(joined.nth(i)).toContainText(shownNumber(w.n - targets[w.region]!));
  }

  // A co-editor opens the notebook and sees both results without running anything (or having the password).
  const connectionId = await first.getByLabel('Run on').inputValue();
  const eve = await person(browser, 'Eve Editor');
  await invite(page, workspaceUrl, 'editor', eve.page);
  let schemaReads = 0;
  eve.page.on('request', (r) => void (r.url().endsWith('/schema') && schemaReads++));
  await eve.page.goto(notebookUrl);
  const theirs = eve.page.getByTestId('cell');
  await expect(theirs.nth(0).getByLabel('Run on')).toHaveValue(connectionId);
  await expect(theirs.nth(0).getByTestId('result-row')).toHaveCount(want.length, { timeout: 30_000 });
  await expect(theirs.nth(1).getByTestId('result-row')).toHaveCount(want.length);
  await expect(theirs.nth(1).getByTestId('result-row').first()).toContainText(
    shownNumber(want[0]!.n - targets[want[0]!.region]!)
  );
  expect(await eve.page.content()).not.toContain(sample.password);
  expect(schemaReads).toBe(1); // one read for autocomplete, however often the notebook re-renders
  await page.goto(notebookUrl);
  await expect(page.getByTestId('connection-status')).toHaveText('connected');

  // A statement that writes is refused, and says what may run.
  await typeSql(page, 0, `delete from ${sample.schema}.orders returning id`);
  await first.getByRole('button', { name: 'Run cell' }).click();
  await expect(first.getByTestId('run-error')).toContainText('Queries on connections read data');
});
