// Two people (and a viewer) in one notebook, each in their own browser context.
import { expect, test, type Page } from '@playwright/test';
import { expectSource, invite, person, signUp } from './helpers';

const editorOf = (page: Page, i: number) => page.getByTestId('cell').nth(i).locator('.cm-content');

async function typeInto(page: Page, i: number, text: string) {
  await editorOf(page, i).click();
  await page.keyboard.press('End');
  await page.keyboard.type(text);
}

test('two people edit one notebook live, with presence; a viewer watches read-only', async ({ browser }) => {
  const ada = await person(browser, 'Ada Lovelace');
  const workspacePath = new URL(ada.page.url()).pathname;
  const bob = await person(browser, 'Bob Editor');
  const vic = await person(browser, 'Vic Viewer');
  await invite(ada.page, workspacePath, 'editor', bob.page);
  await invite(ada.page, workspacePath, 'viewer', vic.page);

  await ada.page.goto(workspacePath);
  await ada.page.getByRole('button', { name: 'New notebook' }).click();
  await expect(ada.page.getByTestId('connection-status')).toHaveText('connected');
  const notebookUrl = ada.page.url();
  await bob.page.goto(notebookUrl);
  await vic.page.goto(notebookUrl);
  for (const p of [ada.page, bob.page, vic.page]) {
    await expect(p.getByTestId('connection-status')).toHaveText('connected');
    await expect(p.getByTestId('presence-avatar')).toHaveCount(3);
  }
  await expect(ada.page.getByRole('list', { name: 'People here' })).toContainText('Bob Editor');

  // Text typed by one appears for the others, with the typist's cursor labelled.
  await typeInto(ada.page, 0, 'select 42 as answer');
  await expectSource(bob.page, 0, 'select 42 as answer');
  await expectSource(vic.page, 0, 'select 42 as answer');
  await expect(bob.page.locator('.cm-ySelectionInfo', { hasText: 'Ada Lovelace' })).toHaveCount(1);

  // A cell added by Bob appears for Ada; Ada moves it to the top and Bob sees the new order.
  await bob.page.getByRole('button', { name: 'Add Text cell below cell 1' }).click();
  await bob.page.keyboard.type('# Findings');
  await expect(ada.page.getByTestId('cell')).toHaveCount(2);
  await expectSource(ada.page, 1, '# Findings');
  await ada.page.getByTestId('cell').nth(1).getByRole('button', { name: 'Move cell up' }).click();
  await expectSource(bob.page, 0, '# Findings');
  await expectSource(bob.page, 1, 'select 42 as answer');
  await expect(vic.page.getByTestId('cell').first()).toHaveAttribute('data-kind', 'text');

  // The viewer's editors are read-only and offer no controls; typing changes nothing anywhere.
  await expect(vic.page.getByText('You are a viewer')).toBeVisible();
  await expect(editorOf(vic.page, 0)).toHaveAttribute('contenteditable', 'false');
  await expect(vic.page.getByRole('button', { name: 'Move cell up' })).toHaveCount(0);
  await editorOf(vic.page, 1).click();
  await vic.page.keyboard.type('DROP TABLE');
  await typeInto(ada.page, 1, ' -- checked');
  await expectSource(vic.page, 1, 'select 42 as answer -- checked');
  await expectSource(bob.page, 1, 'select 42 as answer -- checked');

  // A viewer may run a local query for themselves: the button says so, and the result is theirs alone.
  const vicSql = vic.page.getByTestId('cell').nth(1);
  await expect(vicSql.getByRole('button', { name: 'Run cell', exact: true })).toHaveCount(0);
  await vicSql.getByRole('button', { name: 'Run cell for me' }).click();
  await expect(vicSql.getByTestId('run-summary')).toContainText('only for you', { timeout: 60_000 });
  await expect(vicSql.getByTestId('result-row').first()).toContainText('42');
  await expect(ada.page.getByTestId('cell').nth(1).getByTestId('run-summary')).toHaveCount(0);

  // Undo takes back only your own edits.
  await typeInto(bob.page, 1, ' BOB');
  await expectSource(ada.page, 1, 'select 42 as answer -- checked BOB');
  // The text cell shows rendered markdown; clicking it opens the editor.
  await expect(ada.page.getByTestId('cell').nth(0).getByRole('heading', { name: 'Findings' })).toBeVisible();
  await ada.page.getByTestId('cell').nth(0).getByTestId('markdown').click();
  await ada.page.keyboard.press('Control+End');
  await ada.page.keyboard.type(' ADA');
  await expectSource(bob.page, 0, '# Findings ADA');
  await ada.page.keyboard.press('Control+z');
  await expectSource(bob.page, 0, '# Findings');
  await expectSource(bob.page, 1, 'select 42 as answer -- checked BOB');

  for (const p of [ada, bob, vic]) await p.context.close();
});

test('keyboard: Shift+Enter advances, Esc then b / a insert, dd deletes, Alt+Up moves', async ({ page }) => {
  await signUp(page, 'Keys');
  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
  const cells = page.getByTestId('cell');
  await expect(cells).toHaveCount(1);

  await editorOf(page, 0).click();
  await page.keyboard.type('select 1');
  await page.keyboard.press('Shift+Enter'); // at the end: a new cell, focused
  await expect(cells).toHaveCount(2);
  await page.keyboard.type('select 2');
  await expectSource(page, 1, 'select 2');

  await page.keyboard.press('Escape');
  await expect(cells.nth(1)).toBeFocused();
  await page.keyboard.press('m'); // make it text
  await expect(cells.nth(1)).toHaveAttribute('data-kind', 'text');
  await page.keyboard.press('b');
  await expect(cells).toHaveCount(3);
  await page.keyboard.type('third');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Alt+ArrowUp');
  await expectSource(page, 1, 'third');
  await page.keyboard.press('d');
  await page.keyboard.press('d');
  await expect(cells).toHaveCount(2);
  await expectSource(page, 1, 'select 2');
  await page.keyboard.press('z'); // undo the delete
  await expect(cells).toHaveCount(3);
  await expectSource(page, 1, 'third');
  await page.keyboard.press('Control+Shift+Z'); // and redo it
  await expect(cells).toHaveCount(2);
  await page.keyboard.press('z');
  await expect(cells).toHaveCount(3);

  // The help and the buttons' tooltips say the same keys as the handler used above.
  await page.getByText('Keyboard shortcuts').click();
  const help = page.locator('details.help');
  await expect(help).toContainText(/d d\s*delete the cell/);
  await expect(help).toContainText(/Alt\+↑\s*move the cell up/);
  await expect(help).toContainText(/Alt\+Z\s*wrap long lines on \/ off/);
  await expect(cells.nth(1).getByRole('button', { name: 'Move cell up' })).toHaveAttribute(
    'title',
    'Move cell up (Alt+↑)'
  );

  // Everything was stored: a reload shows the same notebook.
  await page.reload();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
  await expect(cells).toHaveCount(3);
  await expectSource(page, 0, 'select 1');
});

test('offline edits are kept and sync on reconnect', async ({ browser }) => {
  const ada = await person(browser, 'Offline Ada');
  await ada.page.getByRole('button', { name: 'New notebook' }).click();
  await expect(ada.page.getByTestId('connection-status')).toHaveText('connected');
  const url = ada.page.url();
  // The same person in another browser, which stays online.
  const elsewhere = await browser.newContext({ storageState: await ada.context.storageState() });
  const second = await elsewhere.newPage();
  await second.goto(url);
  await expect(second.getByTestId('connection-status')).toHaveText('connected');

  await ada.context.setOffline(true);
  await expect(ada.page.getByTestId('connection-status')).toHaveText('offline — changes saved locally');
  await typeInto(ada.page, 0, 'written offline');
  await expectSource(ada.page, 0, 'written offline');
  await expect(second.getByTestId('connection-status')).toHaveText('connected');
  await expectSource(second, 0, '');
  await ada.context.setOffline(false);
  await expect(ada.page.getByTestId('connection-status')).toHaveText('connected');
  await expectSource(second, 0, 'written offline');
  await ada.context.close();
  await elsewhere.close();
});

test('a title typed in the notebook shows in the list; a rename in the list reaches the open notebook', async ({
  browser
}) => {
  const ada = await person(browser, 'Titles');
  const workspacePath = new URL(ada.page.url()).pathname;
  await ada.page.getByRole('button', { name: 'New notebook' }).click();
  await expect(ada.page.getByTestId('connection-status')).toHaveText('connected');
  await ada.page.getByLabel('Notebook title').fill('Churn deep-dive');
  const notebookUrl = ada.page.url();

  const list = await ada.context.newPage();
  await expect
    .poll(async () => {
      await list.goto(workspacePath);
      return list.getByTestId('notebook-row').first().textContent();
    })
    .toContain('Churn deep-dive');

  await list.getByRole('button', { name: 'Rename Churn deep-dive' }).click();
  await list.getByLabel('New title').fill('Churn, final');
  await list.getByLabel('New title').press('Enter');
  await expect(list.getByRole('link', { name: 'Churn, final' })).toBeVisible();
  await expect(ada.page.getByLabel('Notebook title')).toHaveValue('Churn, final');
  expect(ada.page.url()).toBe(notebookUrl);
  await ada.context.close();
});

test('cells move by dragging their handle', async ({ page }) => {
  await signUp(page, 'Dragger');
  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
  await typeInto(page, 0, 'first');
  await page.getByRole('button', { name: 'Add Text cell below cell 1' }).click();
  await page.keyboard.type('second');
  const cells = page.getByTestId('cell');
  await expect(cells).toHaveCount(2);
  const target = await cells.nth(0).boundingBox();
  await cells
    .nth(1)
    .getByRole('button', { name: 'Drag to move' })
    .dragTo(cells.nth(0), { targetPosition: { x: 20, y: Math.max(2, (target?.height ?? 40) / 4) } });
  await expectSource(page, 0, 'second');
  await expectSource(page, 1, 'first');
});
