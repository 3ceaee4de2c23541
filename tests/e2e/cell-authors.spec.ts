// Who changed what, in the browser: Ada and Bob edit one notebook; each cell's frame says who last changed it
// (the server's record of whose edits it applied), updating as they type; and a version Ada saves in the History
// panel attributes each change to the person who made it.
import { expect, test } from '@playwright/test';
import { ownerAndEditor, typeSql } from './helpers';

test('each cell says who last changed it, and a version’s changes are attributed to people', async ({
  browser
}) => {
  test.setTimeout(90_000);
  const { owner: ada, editor: bob } = await ownerAndEditor(browser, 'Ada Authors', 'Bob Authors');
  const url = ada.page.url();
  await bob.page.goto(url);
  await expect(bob.page.getByTestId('connection-status')).toHaveText('connected');

  // Nobody has changed the new notebook's cell yet: its frame says nothing.
  await expect(ada.page.getByTestId('cell')).toHaveCount(1);
  await expect(ada.page.getByTestId('cell-author')).toHaveCount(0);

  await typeSql(ada.page, 0, 'select 1 as one');
  await bob.page.getByRole('button', { name: 'Add Text cell below cell 1' }).click();
  await bob.page.keyboard.type('# Bob’s notes');
  await expect(ada.page.getByTestId('cell')).toHaveCount(2);

  const adaCells = ada.page.getByTestId('cell');
  const first = adaCells.nth(0).getByTestId('cell-author');
  const second = adaCells.nth(1).getByTestId('cell-author');
  await expect(second).toContainText('Bob Authors');
  await expect(second).toContainText('just now');
  await expect(second).toHaveAttribute('title', /^Last changed by Bob Authors, \d/);
  await expect(first).toContainText('Ada Authors');
  // Bob sees the same, from the same record.
  await expect(bob.page.getByTestId('cell').nth(0).getByTestId('cell-author')).toContainText('Ada Authors');

  // Bob changes Ada's query: the cell is now his, and Ada is among its other editors.
  await bob.page.getByTestId('cell').nth(0).locator('.cm-content').click();
  await bob.page.keyboard.press('End');
  await bob.page.keyboard.type(', 2 as two');
  await expect(first).toContainText('Bob Authors');
  await expect(first).toHaveAttribute('title', /Also changed by Ada Authors\.$/);

  // Ada saves a version: opened from the History panel, it says who changed which cell since the one before.
  await ada.page.getByRole('button', { name: 'History', exact: true }).click();
  await ada.page.getByRole('button', { name: 'Save version…' }).click();
  await ada.page.getByLabel('Version name').fill('after Bob');
  await ada.page.getByRole('button', { name: 'Save', exact: true }).click();
  const list = ada.page.getByRole('list', { name: 'Versions, newest first' });
  await list.getByRole('button', { name: /^after Bob\b/ }).click();
  const changes = ada.page.getByTestId('version-view').getByTestId('version-changes');
  await expect(changes.getByRole('heading')).toHaveText(
    'Changed since the version before by Ada Authors and Bob Authors'
  );
  await expect(changes.getByTestId('version-change')).toHaveText([
    /SQL cell 1 · \w+\s*changed by Ada Authors and Bob Authors/,
    /Text cell 2\s*added by Bob Authors/
  ]);

  for (const p of [ada, bob]) await p.context.close();
});
