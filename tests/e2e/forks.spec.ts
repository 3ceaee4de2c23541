// Forking someone's notebook into your own workspace, and starting from a public template.
import { expect, test } from '@playwright/test';
import { expectSource, invite, person, typeSql } from './helpers';
import { WEATHER } from './weather';

test('fork into another person’s workspace: an independent copy with its results and file, origin shown; use a template', async ({
  browser
}) => {
  test.setTimeout(120_000);
  const ada = await person(browser, 'Ada Author');
  const workspacePath = new URL(ada.page.url()).pathname;
  const bob = await person(browser, 'Bob Forker');
  const bobHome = new URL(bob.page.url()).pathname;
  await invite(ada.page, workspacePath, 'viewer', bob.page);

  const page = ada.page;
  await page.goto(workspacePath);
  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
  await page.getByLabel('Notebook title').fill('Weather study');
  await page.getByLabel('Upload files').setInputFiles(WEATHER);
  await expect(page.getByTestId('file')).toContainText('seattle_weather');
  await typeSql(page, 0, 'select count(*) as days from seattle_weather');
  await page.getByRole('button', { name: 'Run cell' }).click();
  await expect(page.getByTestId('result-row').first()).toContainText('1,461', { timeout: 60_000 });
  const original = page.url();

  // Bob, a viewer here, forks it into his own workspace.
  await bob.page.goto(original);
  await expect(bob.page.locator('html[data-hydrated="true"]')).toHaveCount(1); // the button works once hydrated
  await bob.page.getByRole('button', { name: 'Fork' }).click();
  const form = bob.page.getByRole('form', { name: 'Fork this notebook' });
  await form.getByLabel('Into').selectOption({ label: "Bob Forker's workspace" });
  await form.getByRole('button', { name: 'Fork' }).click();
  await expect(bob.page).not.toHaveURL(original);
  await expect(bob.page.getByTestId('forked-from')).toHaveText('Forked from Weather study');
  await expect(bob.page.getByTestId('connection-status')).toHaveText('connected');
  // The copy shows the result without running, and the file came along into Bob's workspace.
  await expect(bob.page.getByTestId('result-row').first()).toContainText('1,461');
  await expect(bob.page.getByTestId('file')).toContainText('seattle_weather');
  await expect(bob.page.getByLabel('Notebook title')).toHaveValue('Weather study (copy)');

  // Bob edits his copy; Ada's notebook does not change.
  await typeSql(bob.page, 0, 'select 2 as mine');
  await expectSource(bob.page, 0, 'select 2 as mine');
  await page.reload();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
  await expectSource(page, 0, 'select count(*) as days from seattle_weather');
  await bob.page.goto(bobHome);
  await expect(bob.page.getByTestId('notebook-row')).toContainText(['Weather study (copy)']);

  // Ada shares it as a public template; someone with no access to her workspace starts from it.
  await page.getByLabel('Template').selectOption('public');
  await expect(page.getByLabel('Template')).toHaveValue('public');
  const cleo = await person(browser, 'Cleo Newcomer');
  const template = cleo.page.getByTestId('template').filter({ hasText: 'Weather study' });
  await expect(template).toContainText('public');
  await template.getByRole('button', { name: 'Use template Weather study' }).click();
  await expect(cleo.page.getByTestId('forked-from')).toHaveText('Forked from Weather study');
  await expect(cleo.page.getByTestId('result-row').first()).toContainText('1,461');

  for (const p of [ada, bob, cleo]) await p.context.close();
});
