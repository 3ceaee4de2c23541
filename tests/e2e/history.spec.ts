// History in the browser: Ada and Bob edit one notebook; Ada saves a version, compares it with what Bob changed
// since, and restores a deleted cell while Bob types elsewhere — nobody's typing is lost. Then the whole notebook
// is restored and the restore undone by restoring the version kept before it. A viewer sees history, not restore.
import { expect, test, type Page } from '@playwright/test';
import { expectSource, invite, person, sourceText, typeSql } from './helpers';

/** Every cell's source, top to bottom, as the page's editors show them. */
async function sources(page: Page): Promise<string[]> {
  const n = await page.getByTestId('cell').count();
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await sourceText(page, i));
  return out;
}

const cellIds = (page: Page) =>
  page.getByTestId('cell').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-cell-id')));

async function expectSources(page: Page, want: string[]) {
  await expect.poll(() => sources(page)).toEqual(want);
}

async function openHistory(page: Page) {
  const toggle = page.getByRole('button', { name: 'History', exact: true });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  return page.getByRole('list', { name: 'Versions, newest first' });
}

const QUERY_V1 = 'select 1 as one\nfrom range(3)';
const QUERY_BOB = 'select 10 as ten\nfrom range(3)';
const TYPED = ' -- Bob typed all of this while Ada restored';

test('save, compare and restore versions while a co-editor types; undo a restore; viewers only look', async ({
  browser
}) => {
  test.setTimeout(120_000);
  const ada = await person(browser, 'Ada History');
  const workspacePath = new URL(ada.page.url()).pathname;
  const bob = await person(browser, 'Bob History');
  const vic = await person(browser, 'Vic History');
  await invite(ada.page, workspacePath, 'editor', bob.page);
  await invite(ada.page, workspacePath, 'viewer', vic.page);
  await ada.page.goto(workspacePath);
  await ada.page.getByRole('button', { name: 'New notebook' }).click();
  await expect(ada.page.getByTestId('connection-status')).toHaveText('connected');
  const url = ada.page.url();
  await bob.page.goto(url);
  await expect(bob.page.getByTestId('connection-status')).toHaveText('connected');

  // Ada and Bob write three cells.
  await typeSql(ada.page, 0, QUERY_V1);
  await ada.page.getByRole('button', { name: 'Add Text cell below cell 1' }).click();
  await ada.page.keyboard.type('# Notes');
  await expect(bob.page.getByTestId('cell')).toHaveCount(2);
  await bob.page.getByRole('button', { name: 'Add SQL cell below cell 2' }).click();
  await bob.page.keyboard.type('select 2 as two');
  const v1 = [QUERY_V1, '# Notes', 'select 2 as two'];
  await expectSources(ada.page, v1);
  await expectSources(bob.page, v1);

  // Ada names the notebook as it is now; an empty name gets the server's message.
  const list = await openHistory(ada.page);
  await ada.page.getByRole('button', { name: 'Save version…' }).click();
  await ada.page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(ada.page.getByRole('alert').filter({ hasText: 'Give the version a name.' })).toBeVisible();
  await ada.page.getByLabel('Version name').fill('v1');
  await ada.page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(ada.page.getByRole('status').filter({ hasText: 'Saved “v1”.' })).toBeVisible();
  const v1Entry = list.getByRole('button', { name: /^v1\b/ });
  await expect(v1Entry).toContainText('Named');
  await expect(v1Entry).toContainText('Ada History');
  await expect(v1Entry.locator('time')).toHaveAttribute('title', /\d{4}/);

  // Bob deletes the text cell and rewrites the query.
  await bob.page.getByTestId('cell').nth(1).getByRole('button', { name: 'Delete cell' }).click();
  await typeSql(bob.page, 0, QUERY_BOB);
  await expectSources(ada.page, [QUERY_BOB, 'select 2 as two']);

  // Ada opens v1: its cells as they were, read-only, the markdown rendered.
  await v1Entry.click();
  const version = ada.page.getByTestId('version-view');
  await expect(version.getByRole('heading', { name: 'v1' })).toBeVisible();
  await expect(version).toContainText('Old version · read-only');
  await expect(version.getByTestId('version-cell')).toHaveCount(3);
  await expect(
    version.getByTestId('version-cell').nth(1).getByRole('heading', { name: 'Notes' })
  ).toBeVisible();
  await expect(version.getByTestId('version-cell').nth(0).getByTestId('version-source')).toHaveText(QUERY_V1);
  await expect(version.locator('.cm-content')).toHaveCount(0);
  await expect(ada.page.getByTestId('cell').first()).toBeHidden();

  // Compared with now: the text cell removed, the query's changed line, the untouched cell folded away.
  await version.getByRole('button', { name: 'Compare with now' }).click();
  const removed = version.locator('[data-testid="compare-cell"][data-status="removed"]');
  await expect(removed).toHaveCount(1);
  await expect(removed).toContainText('Text cell 2');
  await expect(removed.locator('del')).toHaveText(['−# Notes']);
  const changed = version.locator('[data-testid="compare-cell"][data-status="changed"]');
  await expect(changed).toHaveCount(1);
  await expect(changed.locator('del')).toHaveText(['−select 1 as one']);
  await expect(changed.locator('ins')).toHaveText(['+select 10 as ten']);
  await expect(changed.getByTestId('line-diff')).toContainText('from range(3)');
  await expect(version.getByRole('button', { name: '1 unchanged cell' })).toBeVisible();

  // Bob types in his query while Ada brings the text cell back.
  await bob.page.getByTestId('cell').nth(1).locator('.cm-content').click();
  await bob.page.keyboard.press('End');
  const typing = bob.page.keyboard.type(TYPED, { delay: 60 });
  await removed.getByRole('button', { name: 'Restore Text cell 2 as it was' }).click();
  await expect(removed).toContainText('co-editors see it happen and keep what they are typing');
  // Bob's first characters have reached Ada: the restore lands in the middle of his typing.
  await expect.poll(() => sourceText(ada.page, 1)).toContain(TYPED.slice(0, 6));
  await removed.getByRole('button', { name: 'Restore this cell', exact: true }).click();
  await typing;
  const afterCell = [QUERY_BOB, '# Notes', `select 2 as two${TYPED}`];
  await expectSources(bob.page, afterCell);
  await version.getByRole('button', { name: '← Back to the live notebook' }).click();
  await expectSources(ada.page, afterCell);
  expect(await cellIds(ada.page)).toEqual(await cellIds(bob.page));
  await expect(ada.page.getByTestId('restore-notice')).toContainText('A cell was restored from “v1”');

  // The whole notebook back to v1…
  await openHistory(ada.page);
  await v1Entry.click();
  await version.getByRole('button', { name: 'Restore this version…' }).click();
  await expect(version).toContainText('To undo it, restore the “Before restore” version');
  await version.getByRole('button', { name: 'Restore this version', exact: true }).click();
  await expect(version).toHaveCount(0);
  await expectSources(ada.page, v1);
  await expectSources(bob.page, v1);
  await expect(ada.page.getByTestId('restore-notice')).toContainText('The notebook was restored to “v1”');

  // …and undone by restoring the version the restore kept first.
  const before = list.getByRole('button', { name: /^Before restoring “v1”/ });
  await expect(before).toContainText('Before restore');
  await before.click();
  await expect(version.getByRole('heading', { name: 'Before restoring “v1”' })).toBeVisible();
  await version.getByRole('button', { name: 'Restore this version…' }).click();
  await version.getByRole('button', { name: 'Restore this version', exact: true }).click();
  await expectSources(ada.page, afterCell);
  await expectSources(bob.page, afterCell);
  await expectSource(bob.page, 2, `select 2 as two${TYPED}`);

  // A viewer reads the history and compares, with nothing to save or restore.
  await vic.page.goto(url);
  await expect(vic.page.getByTestId('connection-status')).toHaveText('connected');
  const vicList = await openHistory(vic.page);
  await expect(vicList.getByRole('button', { name: /^v1\b/ })).toBeVisible();
  await expect(vic.page.getByRole('button', { name: 'Save version…' })).toHaveCount(0);
  await vicList.getByRole('button', { name: /^v1\b/ }).click();
  const vicVersion = vic.page.getByTestId('version-view');
  await expect(vicVersion.getByTestId('version-cell')).toHaveCount(3);
  await vicVersion.getByRole('button', { name: 'Compare with now' }).click();
  await expect(vicVersion.getByTestId('compare-cell').first()).toBeVisible();
  await expect(vicVersion.getByRole('button', { name: /^Restore/ })).toHaveCount(0);

  for (const p of [ada, bob, vic]) await p.context.close();
});
