// CodeMirror is loaded after the notebook has painted (issue 18.2). Until it arrives each cell shows its source as
// plain text in the editor's place and size; nothing moves when the editor replaces it, and a click made before then
// lands in the editor, at the clicked spot.
import { expect, test } from '@playwright/test';
import { expectSource, signUpWithNotebook, sourceText, typeSql } from './helpers';

test('a cell shows its source before the editor loads, nothing moves when it does, and an early click lands in it', async ({
  page
}) => {
  await signUpWithNotebook(page, 'Lena Lazy');
  await typeSql(page, 0, 'select 1 as one,\n2 as two\n');
  const source = await sourceText(page, 0);
  expect(source.split('\n')).toHaveLength(3); // the trailing newline is a line of its own

  // The same notebook in a second tab, with CodeMirror's chunk held back until released.
  const second = await page.context().newPage();
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let heldBack = 0;
  await second.route('**/_app/immutable/chunks/*.js', async (route) => {
    const response = await route.fetch();
    const body = await response.text();
    if (body.includes('cm-content')) {
      heldBack += 1;
      await held;
    }
    await route.fulfill({ response, body });
  });
  await second.goto(page.url());
  const cell = second.getByTestId('cell').first();
  const standIn = cell.getByTestId('editor-loading');
  await expect.poll(() => standIn.evaluate((el) => el.textContent?.replace(/\u200b/g, ''))).toBe(source);
  await expect(second.getByTestId('connection-status')).toHaveText('connected');
  // Counted once the chunk has arrived whole, which can be after the page has connected.
  await expect.poll(() => heldBack).toBe(1);
  await expect(cell.locator('.cm-content')).toHaveCount(0);
  const before = (await cell.boundingBox())!;
  const box = (await standIn.boundingBox())!;
  await second.screenshot({ path: test.info().outputPath('before-editor.png') });

  // A click past the end of the first line, before the editor is there.
  await standIn.click({ position: { x: box.width - 10, y: 8 + 10 } });
  release();
  const content = cell.locator('.cm-content');
  await expect(content).toBeFocused();
  await expect(standIn).toHaveCount(0);
  await second.screenshot({ path: test.info().outputPath('after-editor.png') });
  const after = (await cell.boundingBox())!;
  expect(Math.abs(after.height - before.height)).toBeLessThan(1);
  expect(Math.abs(after.y - before.y)).toBeLessThan(1);
  // Lines sit where the plain text had them.
  const firstLine = (await content.locator('.cm-line').first().boundingBox())!;
  expect(Math.abs(firstLine.y - (box.y + 8))).toBeLessThan(1);

  await second.keyboard.type(' -- here');
  await expectSource(second, 0, source.replace('\n', ' -- here\n'));
  await expectSource(page, 0, source.replace('\n', ' -- here\n'));
});

test('what is typed into a new cell before the editor arrives goes into it, and the caret follows', async ({
  page
}) => {
  await signUpWithNotebook(page, 'Tess Typeahead');
  const notebook = page.url();
  const second = await page.context().newPage();
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await second.route('**/_app/immutable/chunks/*.js', async (route) => {
    const response = await route.fetch();
    const body = await response.text();
    if (body.includes('cm-content')) await held;
    await route.fulfill({ response, body });
  });
  await second.goto(notebook);
  await expect(second.getByTestId('connection-status')).toHaveText('connected');

  // A new text cell, typed into at once, CodeMirror still on its way.
  await second.getByRole('button', { name: 'Add Text cell below cell 1' }).click();
  await second.keyboard.type('# Early notes');
  await second.keyboard.press('Enter');
  await second.keyboard.type('morx');
  await second.keyboard.press('Backspace');
  await second.keyboard.type('e');
  await second.keyboard.press('Enter');
  // And a paste, as someone pastes a query into a new cell at once.
  await second.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await second.evaluate(() => navigator.clipboard.writeText('pasted\r\nlines'));
  await second.keyboard.press('Control+V');
  const cell = second.getByTestId('cell').nth(1);
  await expect(cell.locator('.cm-content')).toHaveCount(0);
  await expect
    .poll(() => cell.getByTestId('editor-loading').evaluate((el) => el.textContent))
    .toBe('# Early notes\nmore\npasted\nlines');
  // It is shared as it is typed: the first tab, whose editor is there, has it already.
  await expect(page.getByTestId('cell').nth(1)).toContainText('Early notes');

  release();
  await expect(cell.locator('.cm-content')).toBeFocused();
  await second.keyboard.type(' and after');
  await expectSource(second, 1, '# Early notes\nmore\npasted\nlines and after');
});
