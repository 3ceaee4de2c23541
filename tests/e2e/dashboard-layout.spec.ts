// Arranging a notebook's dashboard together: the owner puts a chart, a text and a result (as a big number) on it,
// moves and resizes with the mouse and the keyboard, removes a card; an editor and a viewer watch it happen live,
// and on a phone-wide screen the cards stack in one column.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { GAP_PX, ROW_PX } from '../../cells/layout';
import { expectSource, invite, ownerAndEditor, person, typeSql } from './helpers';

const SQL = "select 'a' as k, 42 as v union all select 'b', 57 order by k";

const cell = (page: Page, i: number) => page.getByTestId('cell').nth(i);
const cards = (page: Page) => page.getByTestId('dashboard-item');
const card = (page: Page, name: string) => cards(page).and(page.getByRole('group', { name, exact: true }));
const bars = (l: Locator) => l.locator('svg [aria-roledescription="bar"]');

/** Where the browser put a card on the grid, as CSS says it: "column-start / span w ; row-start / span h". */
const area = (l: Locator) =>
  l.evaluate((el) => {
    const s = getComputedStyle(el);
    return `${s.gridColumn} ; ${s.gridRow}`;
  });

async function showDashboard(page: Page) {
  const toggle = page.getByRole('button', { name: 'Dashboard', exact: true });
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
}

/** Drags `handle` by whole grid columns and rows, as a person would with the mouse; `midway` runs before the drop. */
async function dragBy(page: Page, handle: Locator, cols: number, rows: number, midway?: () => Promise<void>) {
  const grid = (await page.getByTestId('dashboard-grid').boundingBox())!;
  const colStep = (grid.width + GAP_PX) / 12;
  const from = (await handle.boundingBox())!;
  const x = from.x + from.width / 2;
  const y = from.y + from.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + cols * colStep, y + rows * (ROW_PX + GAP_PX), { steps: 12 });
  await midway?.();
  await page.mouse.up();
}

test('owner and editor arrange a dashboard together: add, drag, resize, keys, remove; one column on phones', async ({
  browser
}) => {
  test.setTimeout(150_000);
  const { owner, editor: bob, workspacePath } = await ownerAndEditor(browser, 'Ada Dash', 'Bob Dash');
  const ada = owner.page;
  const notebookUrl = ada.url();
  const vic = await person(browser, 'Vic Dash');
  await invite(ada, workspacePath, 'viewer', vic.page);
  for (const p of [ada, bob.page, vic.page]) {
    await p.goto(notebookUrl);
    await expect(p.getByTestId('connection-status')).toHaveText('connected');
  }

  // A query, a chart of it and a text, made in the notebook.
  await typeSql(ada, 0, SQL);
  await cell(ada, 0).getByRole('button', { name: 'Run cell' }).click();
  await expect(cell(ada, 0).getByTestId('run-summary')).toContainText('2 rows', { timeout: 60_000 });
  await ada.getByRole('button', { name: 'Add Chart cell below cell 1' }).click();
  await cell(ada, 1).getByLabel('Data', { exact: true }).selectOption('query_1');
  await expect(bars(cell(ada, 1))).toHaveCount(2, { timeout: 30_000 });
  await ada.getByRole('button', { name: 'Add Text cell below cell 2' }).click();
  await expect(cell(ada, 2).locator('.cm-content')).toBeFocused();
  await ada.keyboard.type('# Findings');
  await expectSource(bob.page, 2, '# Findings');

  // Bob and Vic look at the (empty) dashboard before anything is on it.
  await showDashboard(bob.page);
  await showDashboard(vic.page);
  await expect(bob.page.getByTestId('dashboard-empty')).toContainText(
    'Add charts, text, results and filters'
  );
  await expect(vic.page.getByTestId('dashboard-empty')).toBeVisible();
  await expect(vic.page.getByRole('heading', { name: 'Add to dashboard' })).toHaveCount(0);

  await showDashboard(ada);
  await expect(ada.getByTestId('dashboard-empty')).toHaveText(
    'Add charts, text, results and filters from the list to build the dashboard people see when you publish.'
  );
  await expect(ada.getByTestId('cell').first()).toBeHidden(); // the notebook's cells make way
  await ada.getByRole('button', { name: 'Add Chart of query_1 to the dashboard' }).click();
  await ada.getByRole('button', { name: 'Add Findings to the dashboard' }).click();
  await ada.getByRole('button', { name: 'Add query_1 as a number' }).click();
  await expect(cards(ada)).toHaveCount(3);
  await expect(ada.getByText('Every chart, text, result and input is on the dashboard.')).toBeVisible();

  // Bob sees the three cards arrive without reloading, each showing its content: the chart's bars, the
  // text's heading, and the query's first value as a big number.
  await expect(cards(bob.page)).toHaveCount(3);
  const bobChart = card(bob.page, 'Chart of query_1');
  const bobNumber = card(bob.page, 'query_1 (number)');
  const bobText = card(bob.page, 'Findings');
  await expect(bars(bobChart)).toHaveCount(2, { timeout: 30_000 });
  await expect(bobChart.locator('[aria-label="k: b; v: 57"]')).toHaveCount(1);
  await expect(bobText.getByRole('heading', { name: 'Findings' })).toBeVisible();
  await expect(bobNumber.getByTestId('big-number-value')).toHaveText('42', { timeout: 30_000 });
  await expect(bobNumber.getByTestId('big-number')).toContainText('query_1');
  // New cards stack below each other at their default sizes.
  expect(await area(bobChart)).toBe('1 / span 6 ; 1 / span 5');
  expect(await area(bobText)).toBe('1 / span 6 ; 6 / span 3');
  expect(await area(bobNumber)).toBe('1 / span 3 ; 9 / span 2');
  // Vic, a viewer, sees the same dashboard but nothing to change it with.
  await expect(cards(vic.page)).toHaveCount(3);
  await expect(card(vic.page, 'query_1 (number)').getByTestId('big-number-value')).toHaveText('42');
  await expect(vic.page.getByRole('button', { name: 'Remove from dashboard' })).toHaveCount(0);
  await expect(vic.page.getByRole('button', { name: 'Resize' })).toHaveCount(0);

  // Ada drags the chart six columns right by its header: a ghost shows where it will land, and only the drop
  // is written.
  const adaChart = card(ada, 'Chart of query_1');
  await dragBy(ada, adaChart.getByText('Chart of query_1', { exact: true }), 6, 0, async () => {
    await expect(ada.getByTestId('dashboard-ghost')).toBeVisible();
    expect(await area(ada.getByTestId('dashboard-ghost'))).toBe('7 / span 6 ; 1 / span 5');
    expect(await area(bobChart)).toBe('1 / span 6 ; 1 / span 5'); // nothing sent before the drop
  });
  await expect(ada.getByTestId('dashboard-ghost')).toHaveCount(0);
  await expect.poll(() => area(adaChart)).toBe('7 / span 6 ; 1 / span 5');
  await expect.poll(() => area(bobChart)).toBe('7 / span 6 ; 1 / span 5');

  // …then makes it two columns narrower and a row taller by its corner handle.
  await dragBy(ada, adaChart.getByRole('button', { name: 'Resize' }), -2, 1);
  await expect.poll(() => area(adaChart)).toBe('7 / span 4 ; 1 / span 6');
  await expect.poll(() => area(bobChart)).toBe('7 / span 4 ; 1 / span 6');
  // Bob's card is where Ada's is, and as big: four of twelve columns, six rows.
  const bobGrid = (await bob.page.getByTestId('dashboard-grid').boundingBox())!;
  const bobBox = (await bobChart.boundingBox())!;
  const adaBox = (await adaChart.boundingBox())!;
  const column = (bobGrid.width - 11 * GAP_PX) / 12;
  expect(bobBox.width).toBeCloseTo(4 * column + 3 * GAP_PX, 0);
  expect(bobBox.height).toBeCloseTo(6 * ROW_PX + 5 * GAP_PX, 0);
  expect(bobBox.x - bobGrid.x).toBeCloseTo(6 * (column + GAP_PX), 0);
  expect(Math.abs(bobBox.width - adaBox.width)).toBeLessThan(1);
  await expect(bars(bobChart)).toHaveCount(2); // redrawn at the new size

  // The keyboard: the number goes two columns right and a row up (the text it would cover moves down), then
  // one column wider; focus stays on it throughout.
  const adaNumber = card(ada, 'query_1 (number)');
  await adaNumber.getByTestId('big-number').click();
  await expect(adaNumber).toBeFocused();
  await ada.keyboard.press('ArrowRight');
  await ada.keyboard.press('ArrowRight');
  await expect.poll(() => area(adaNumber)).toBe('3 / span 3 ; 9 / span 2');
  await ada.keyboard.press('ArrowUp');
  await expect.poll(() => area(adaNumber)).toBe('3 / span 3 ; 8 / span 2');
  await ada.keyboard.press('Shift+ArrowRight');
  await expect(adaNumber).toBeFocused();
  await expect.poll(() => area(bobNumber)).toBe('3 / span 4 ; 8 / span 2');
  await expect.poll(() => area(bobText)).toBe('1 / span 6 ; 10 / span 3');

  // Removing the text card takes it off Bob's dashboard too; it is back in Ada's list.
  await card(ada, 'Findings').getByRole('button', { name: 'Remove from dashboard' }).click();
  await expect(cards(bob.page)).toHaveCount(2);
  await expect(bobText).toHaveCount(0);
  await expect(cards(vic.page)).toHaveCount(2);
  await expect(ada.getByRole('button', { name: 'Add Findings to the dashboard' })).toBeVisible();

  // Back in the notebook, the cells are there as they were.
  await ada.getByRole('button', { name: 'Notebook', exact: true }).click();
  await expect(cards(ada)).toHaveCount(0);
  await expect(bars(cell(ada, 1))).toHaveCount(2);
  await expect(cell(ada, 2).getByRole('heading', { name: 'Findings' })).toBeVisible();

  // On a phone-wide screen the dashboard is one column: cards full width, stacked in reading order, and no
  // handles to drag.
  await bob.page.setViewportSize({ width: 400, height: 900 });
  await expect.poll(() => area(bobChart)).toBe('1 / -1 ; auto');
  const grid = (await bob.page.getByTestId('dashboard-grid').boundingBox())!;
  const stacked = await cards(bob.page).evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return { view: el.getAttribute('data-view'), x: r.x, width: r.width, top: r.top, bottom: r.bottom };
    })
  );
  expect(stacked.map((c) => c.view)).toEqual(['chart', 'number']);
  for (const c of stacked) {
    expect(Math.abs(c.x - grid.x)).toBeLessThan(1);
    expect(Math.abs(c.width - grid.width)).toBeLessThan(1);
  }
  expect(stacked[1]!.top).toBeGreaterThanOrEqual(stacked[0]!.bottom);
  expect(grid.width).toBeLessThanOrEqual(400);
  await expect(bob.page.getByRole('button', { name: 'Resize' })).toHaveCount(0);

  // A longer result as a table: its first 50 rows, and a note saying so.
  await ada.getByRole('button', { name: 'Add SQL cell below cell 3' }).click();
  await expect(cell(ada, 3).locator('.cm-content')).toBeFocused();
  await ada.keyboard.type('select range::int as n from range(120)');
  await ada.keyboard.press('Shift+Enter');
  await expect(cell(ada, 3).getByTestId('run-summary')).toContainText('120 rows', { timeout: 60_000 });
  await showDashboard(ada);
  await ada.getByRole('button', { name: 'Add query_2 as a table' }).click();
  const bobTable = card(bob.page, 'query_2 (table)').getByTestId('rows-table');
  await expect(bobTable.getByRole('row')).toHaveCount(51, { timeout: 30_000 }); // a header and 50 rows
  await expect(bobTable.getByRole('row').nth(50)).toHaveText('49');
  await expect(bobTable).toContainText('First 50 of 120 rows');

  for (const p of [owner, bob, vic]) await p.context.close();
});
