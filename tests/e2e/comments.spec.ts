// Comments, with a viewer: she comments on a cell and mentions the owner; he sees it without reloading, replies
// and resolves; her attempts to edit the notebook (typing, and a forged update on the live connection) reach
// nobody; his inbox lists the mention; markup in a comment is inert. And a thread on selected text, which follows
// the text, falls back to the cell when the text goes, follows the cell when it moves and outlives it.
import { expect, test, type Page } from '@playwright/test';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { expectSource, invite, person } from './helpers';

const cell = (page: Page, i: number) => page.getByTestId('cell').nth(i);
const panel = (page: Page) => page.getByRole('complementary', { name: 'Comments' });

/** A y-websocket "update" frame that would add a cell saying `text`: what a viewer's client could send. Made in a
 * document of its own, it conflicts with nothing: were it accepted, everyone would see one more cell. */
function forgedCellUpdate(text: string): number[] {
  const doc = new Y.Doc();
  const cellMap = new Y.Map<unknown>();
  doc.getMap('cells').set('forged', cellMap);
  cellMap.set('id', 'forged');
  cellMap.set('kind', 'text');
  cellMap.set('name', '');
  cellMap.set('source', new Y.Text(text));
  cellMap.set('config', new Y.Map());
  cellMap.set('run', new Y.Map());
  doc.getArray<string>('order').push(['forged']);
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0); // sync
  encoding.writeVarUint(e, 2); // update
  encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc));
  return [...encoding.toUint8Array(e)];
}

test('a viewer comments and mentions the owner, who replies and resolves live; markup stays inert', async ({
  browser
}) => {
  test.setTimeout(120_000);
  const ada = await person(browser, 'Ada Owner');
  const workspacePath = new URL(ada.page.url()).pathname;
  const vic = await person(browser, 'Vic Viewer');
  await invite(ada.page, workspacePath, 'viewer', vic.page);

  await ada.page.goto(workspacePath);
  await ada.page.getByRole('button', { name: 'New notebook' }).click();
  await expect(ada.page.getByTestId('connection-status')).toHaveText('connected');
  const notebookUrl = ada.page.url();
  const notebookPath = new URL(notebookUrl).pathname;
  await cell(ada.page, 0).locator('.cm-content').click();
  await ada.page.keyboard.type('select 1 as answer');
  await expect(panel(ada.page).getByText('No comments yet')).toBeVisible();

  await vic.page.goto(notebookUrl);
  await expect(vic.page.getByTestId('connection-status')).toHaveText('connected');
  await expectSource(vic.page, 0, 'select 1 as answer');

  // Vic tries to edit: typing in her read-only editor, and an update sent straight over the live connection.
  await cell(vic.page, 0).locator('.cm-content').click();
  await vic.page.keyboard.type('DROP TABLE');
  await vic.page.evaluate(
    async ({ path, frame }) => {
      const ws = new WebSocket(`ws://${location.host}/collab${path.replace(/^\/n/, '')}`);
      ws.binaryType = 'arraybuffer';
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      // The server answers a sync step 1 (here: "I have nothing") after reading the frame sent before it.
      const answered = new Promise<void>((resolve) => {
        ws.onmessage = (e) => {
          const b = new Uint8Array(e.data as ArrayBuffer);
          if (b[0] === 0 && b[1] === 1) resolve();
        };
      });
      ws.send(new Uint8Array(frame));
      ws.send(new Uint8Array([0, 0, 1, 0]));
      await answered;
      ws.close();
    },
    { path: notebookPath, frame: forgedCellUpdate('Hacked by a viewer') }
  );

  // Vic comments on the cell, mentioning Ada through the member list, with markup that must stay inert.
  await cell(vic.page, 0).getByTestId('comment-badge').click();
  const composer = panel(vic.page).getByLabel(/New comment on Cell 1/);
  await expect(composer).toBeFocused();
  await composer.pressSequentially('Is this right, @Ad');
  await expect(panel(vic.page).getByRole('option', { name: 'Ada Owner' })).toBeVisible();
  await vic.page.keyboard.press('Enter');
  await composer.pressSequentially(
    '? <script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2"> **bold**'
  );
  await expect(composer).toHaveValue(/^Is this right, @Ada Owner \? <script>/);
  await panel(vic.page).getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(panel(vic.page).getByTestId('comment-thread')).toHaveCount(1);

  // Ada sees it without reloading: the cell's badge, the thread, the mention as her name.
  await expect(cell(ada.page, 0).getByTestId('comment-badge')).toHaveAccessibleName(
    'Comments on this cell: 1 open'
  );
  const thread = panel(ada.page).getByTestId('comment-thread');
  await expect(thread).toContainText('Vic Viewer');
  await expect(thread.locator('strong', { hasText: '@Ada Owner' })).toBeVisible();
  await expect(thread.locator('strong', { hasText: 'bold' })).toBeVisible();
  await expect(thread.locator('script')).toHaveCount(0);
  await expect(thread.locator('[onerror]')).toHaveCount(0);
  for (const p of [ada.page, vic.page]) {
    const img = p
      .getByRole('complementary', { name: 'Comments' })
      .locator('[data-testid="comment-thread"] img');
    // Once the broken image has failed to load, a handler would have run.
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete)).toBe(true);
    expect(await p.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  }

  // Ada replies; Vic sees the reply live. Ada resolves; the thread folds away on both pages.
  await thread.getByRole('button', { name: 'Reply' }).click();
  await panel(ada.page).getByLabel('Reply').pressSequentially('Yes, it is.');
  await panel(ada.page).getByRole('button', { name: 'Reply', exact: true }).click();
  await expect(panel(vic.page).getByTestId('comment')).toHaveCount(2);
  await expect(panel(vic.page).getByTestId('comment').nth(1)).toContainText('Yes, it is.');
  await thread.getByRole('button', { name: 'Resolve' }).click();
  for (const p of [ada.page, vic.page]) {
    await expect(panel(p).getByText('1 resolved')).toBeVisible();
    await expect(panel(p).getByTestId('comment-thread')).toBeHidden();
    await expect(cell(p, 0).getByTestId('comment-badge')).toHaveAccessibleName(/^Comment on this cell/);
  }

  // Vic's edits reached nobody: Ada's document, and the stored one Vic reloads, are as Ada left them.
  await expect(ada.page.getByTestId('cell')).toHaveCount(1);
  await expectSource(ada.page, 0, 'select 1 as answer');
  await vic.page.reload();
  await expect(vic.page.getByTestId('connection-status')).toHaveText('connected');
  await expectSource(vic.page, 0, 'select 1 as answer');
  await expect(vic.page.getByTestId('cell')).toHaveCount(1);

  // Ada's inbox lists the mention, unread; following it opens the thread and marks it read.
  await ada.page.goto(workspacePath);
  const mention = ada.page.getByTestId('mention');
  await expect(mention).toHaveCount(1);
  await expect(mention).toContainText('Vic Viewer');
  await expect(mention).toContainText('Is this right, @Ada Owner ?');
  await expect(mention.getByRole('img', { name: 'unread' })).toBeVisible();
  await mention.getByRole('link').click();
  await expect(ada.page).toHaveURL(new RegExp(`${notebookPath}\\?thread=`));
  await expect(panel(ada.page).getByTestId('comment-thread')).toBeVisible();
  await ada.page.goto(workspacePath);
  await expect(ada.page.getByTestId('mention').getByRole('img', { name: 'unread' })).toHaveCount(0);
});

test('a comment on selected text stays on it as the text changes, and on the cell once it is deleted', async ({
  browser
}) => {
  const ada = await person(browser, 'Ada Owner');
  await ada.page.getByRole('button', { name: 'New notebook' }).click();
  await expect(ada.page.getByTestId('connection-status')).toHaveText('connected');
  const editor = cell(ada.page, 0).locator('.cm-content');
  await editor.click();
  await ada.page.keyboard.type('select amount from orders');
  await ada.page.keyboard.press('Home');
  for (let i = 0; i < 7; i++) await ada.page.keyboard.press('ArrowRight');
  for (let i = 0; i < 6; i++) await ada.page.keyboard.press('Shift+ArrowRight');
  await cell(ada.page, 0).getByTestId('comment-badge').click();
  await expect(panel(ada.page).getByText('On “amount”')).toBeVisible();
  await panel(ada.page)
    .getByLabel(/New comment on Cell 1/)
    .fill('Which currency?');
  await panel(ada.page).getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(panel(ada.page).getByTestId('comment-thread')).toContainText('On “amount”');
  await expect(cell(ada.page, 0).locator('.cm-commented')).toHaveText('amount');

  // Typing before the range moves it along.
  await editor.click();
  await ada.page.keyboard.press('Control+Home');
  await ada.page.keyboard.type('-- totals ');
  await expect(cell(ada.page, 0).locator('.cm-commented')).toHaveText('amount');
  await expect(panel(ada.page).getByTestId('comment-thread')).toContainText('On “amount”');

  // Its text deleted, the thread stays, on the cell as a whole.
  await ada.page.keyboard.press('Control+a');
  await ada.page.keyboard.type('select 1');
  await expect(cell(ada.page, 0).locator('.cm-commented')).toHaveCount(0);
  await expect(panel(ada.page).getByTestId('comment-thread')).toContainText(
    'On text that was removed: “amount”'
  );
  await expect(cell(ada.page, 0).getByTestId('comment-badge')).toHaveAccessibleName(
    'Comments on this cell: 1 open'
  );

  // The cell moves down, then is deleted: its thread follows it, then stays readable on its own.
  await ada.page.getByRole('button', { name: 'Add Text cell below cell 1' }).click();
  await cell(ada.page, 1).getByRole('button', { name: 'Move cell up' }).click();
  await expect(cell(ada.page, 1).getByTestId('comment-badge')).toHaveAccessibleName(
    'Comments on this cell: 1 open'
  );
  await expect(panel(ada.page).getByRole('button', { name: /^Cell 2 · / })).toBeVisible();
  await cell(ada.page, 1).getByRole('button', { name: 'Delete cell' }).click();
  await expect(ada.page.getByTestId('cell')).toHaveCount(1);
  const orphans = panel(ada.page).getByRole('region', { name: 'On a deleted cell' });
  await expect(orphans.getByTestId('comment-thread')).toContainText('Which currency?');
});
