// The first minute with the demo notebook: the engine starts while the page opens (served so the browser can keep
// it), a Run pressed before the page has finished loading still finds the file, and stored results, table and
// chart, show without the engine.
import { readdirSync } from 'node:fs';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { demoResult } from './demo';
import { invite, logIn, person } from './helpers';

const demoRows = async () => `${(await demoResult()).length} rows`;

const DEMO = { email: 'demo@sheaf.local', password: 'sheaf-demo' };
const DUCKDB_FILES = /\/duckdb-[^/]*\.(wasm|js)$/;

/** The demo user in a new browser context, on the demo notebook (logged in once, then reused). */
let session: Awaited<ReturnType<BrowserContext['storageState']>> | undefined;
async function openDemo(browser: Browser, before?: (page: Page) => Promise<void>) {
  const context = await browser.newContext(session ? { storageState: session } : {});
  const page = await context.newPage();
  if (!session) {
    await logIn(page, DEMO.email, DEMO.password);
    await expect(page.getByRole('link', { name: 'Demo: US flights' })).toBeVisible();
    session = await context.storageState();
  }
  await before?.(page);
  await page.goto('/');
  await page.getByRole('link', { name: 'Demo: US flights' }).click();
  return { context, page, query: page.getByTestId('cell').nth(1), chart: page.getByTestId('cell').nth(2) };
}

test('opening a notebook starts the engine without a Run, from immutable wasm the browser can compile and keep', async ({
  browser
}) => {
  // What the server sent for DuckDB-WASM's files (routed, so that requests from the worker are seen too).
  const engineFiles = new Map<string, Record<string, string>>();
  const { context, page, query } = await openDemo(browser, async (p) => {
    await p.context().route(DUCKDB_FILES, async (route) => {
      const response = await route.fetch();
      engineFiles.set(new URL(route.request().url()).pathname, response.headers());
      await route.fulfill({ response });
    });
  });
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
  // Nobody pressed Run: the page asked for the engine's module while it opened.
  const wasmPath = () => [...engineFiles.keys()].find((p) => p.endsWith('.wasm'));
  await expect
    .poll(wasmPath, { timeout: 30_000 })
    .toMatch(/^\/_app\/immutable\/assets\/duckdb-(eh|mvp)\.[\w-]+\.wasm$/);
  const wasm = engineFiles.get(wasmPath()!)!;
  // application/wasm exactly: streaming compilation refuses anything else, and the code cache needs it.
  expect(wasm['content-type']).toBe('application/wasm');
  expect(wasm['cache-control']).toBe('public,max-age=31536000,immutable');
  // The worker's script likewise (asked for directly: a worker's first request is not always seen by routes).
  const assets = readdirSync('build/client/_app/immutable/assets');
  const workerScript = assets.find((f) => /^duckdb-browser-eh\.worker\.[\w-]+\.js$/.test(f));
  const worker = await page.request.get(`/_app/immutable/assets/${workerScript}`);
  expect(worker.headers()['cache-control']).toBe('public,max-age=31536000,immutable');
  expect(worker.headers()['content-type']).toMatch(/^(text|application)\/javascript/);

  await query.getByRole('button', { name: 'Run cell' }).click();
  await expect(query.getByTestId('run-summary')).toContainText(await demoRows(), { timeout: 60_000 });
  await expect(query.getByTestId('result-row').first()).toBeVisible();
  await context.close();
});

test('a Run pressed before the Files panel has listed the files still reads them', async ({ browser }) => {
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  const { context, page, query } = await openDemo(browser, async (p) => {
    await p.route('**/api/workspaces/*/files', async (route) => {
      await held;
      await route.continue();
    });
  });
  await query.getByRole('button', { name: 'Run cell' }).click();
  await expect(query.getByText(/Running…/)).toBeVisible();
  await expect(page.getByTestId('file')).toHaveCount(0);
  release();
  await expect(query.getByTestId('run-summary')).toContainText(await demoRows(), { timeout: 60_000 });
  await expect(query.getByTestId('run-error')).toHaveCount(0);
  await context.close();
});

test('the stored result and its chart show when the engine cannot start', async ({ browser }, testInfo) => {
  // Make sure a result is stored (the seed may not store one).
  const first = await openDemo(browser);
  await first.query.getByRole('button', { name: 'Run cell' }).click();
  await expect(first.query.getByTestId('run-summary')).toContainText(await demoRows(), { timeout: 60_000 });
  await expect(first.page.getByText(/Running…/)).toHaveCount(0);
  await first.context.close();

  const blocked: string[] = [];
  const { context, page, query, chart } = await openDemo(browser, async (p) => {
    await p.context().route(DUCKDB_FILES, async (route) => {
      blocked.push(route.request().url());
      await route.abort();
    });
  });
  await expect(query.getByTestId('run-summary')).toContainText(await demoRows());
  await expect(query.getByTestId('result-row').first()).toContainText('0');
  await expect(chart.locator('svg [aria-roledescription="line mark"]')).toHaveCount(1, { timeout: 30_000 });
  await expect(chart.locator('svg text', { hasText: 'Average delay by hour of departure' })).toHaveCount(1);
  await expect(chart.getByTestId('chart-error')).toHaveCount(0);
  await testInfo.attach('demo notebook without the engine', {
    body: await page.screenshot({ fullPage: true }),
    contentType: 'image/png'
  });
  // The editor's page did try to start the engine in the background; what it shows did not wait for it.
  expect(blocked.length).toBeGreaterThan(0);
  await context.close();
});

test('the page carries its first stored result, and table and chart show it without downloading it', async ({
  browser
}) => {
  const first = await openDemo(browser);
  await first.query.getByRole('button', { name: 'Run cell' }).click();
  await expect(first.query.getByTestId('run-summary')).toContainText(await demoRows(), { timeout: 60_000 });
  await expect(first.page.getByText(/Running…/)).toHaveCount(0);
  await first.context.close();

  const { context, page, query, chart } = await openDemo(browser);
  await expect(page).toHaveURL(/\/n\/\w+$/);
  const results: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/results/')) results.push(new URL(r.url()).pathname);
  });
  await page.reload();
  await expect(query.getByTestId('run-summary')).toContainText(await demoRows());
  await expect(query.getByTestId('result-row')).toHaveCount((await demoResult()).length);
  await expect(chart.locator('svg [aria-roledescription="line mark"]')).toHaveCount(1, { timeout: 30_000 });
  // The result (small) came in the page's HTML: nothing asked for it, nor hinted it for a preload.
  expect(results).toEqual([]);
  expect(await page.locator('link[rel="preload"][as="fetch"]').count()).toBe(0);
  await context.close();
});

test('the engine compiles its .wasm from one download', async ({ browser }) => {
  const opened = await openDemo(browser);
  await expect(opened.page).toHaveURL(/\/n\/\w+$/);
  const url = opened.page.url();
  const { context } = opened;
  await opened.page.close();
  // Requests from the page and its worker (a listener, not a route: routes turn the HTTP cache off).
  const wasm: string[] = [];
  context.on('request', (r) => void (r.url().endsWith('.wasm') && wasm.push(r.url())));
  const page = await context.newPage();
  await page.goto(url);
  const query = page.getByTestId('cell').nth(1);
  await query.getByRole('button', { name: 'Run cell' }).click();
  await expect(query.getByTestId('run-summary')).toContainText(await demoRows(), { timeout: 60_000 });
  // The worker compiled it from its first instant; DuckDB's own request for it was answered with that module.
  expect(wasm).toHaveLength(1);
  await context.close();
});

test('the cells, the stored result and its chart show from the page itself, before the live document syncs', async ({
  browser
}) => {
  // The collab socket opens but never hears from the server: whatever shows came with the page's HTML.
  const frames: string[] = [];
  const { context, page, query, chart } = await openDemo(browser, async (p) => {
    await p.routeWebSocket(/\/collab\//, (ws) => ws.onMessage((m) => void frames.push(String(m))));
  });
  await expect(page.getByTestId('cell')).toHaveCount(4);
  await expect(query.getByTestId('run-summary')).toContainText(await demoRows());
  await expect(query.getByTestId('result-row').first()).toBeVisible();
  await expect(chart.locator('svg [aria-roledescription="line mark"]')).toHaveCount(1, { timeout: 30_000 });
  await expect(page.getByText('Loading the notebook…')).toHaveCount(0);
  // The page did ask the server for the document (it got no answer), so the cells came from the HTML.
  expect(frames.length).toBeGreaterThan(0);
  await context.close();
});

/** The engine's marks, the page's and its worker's (every DuckDB worker is a blob: worker made by the prestart). */
async function engineMarks(page: Page) {
  const names = `performance.getEntriesByType('mark').map((m) => m.name).filter((n) => n.startsWith('sheaf:'))`;
  const workers = page.workers().filter((w) => w.url().startsWith('blob:'));
  return {
    page: (await page.evaluate(names)) as string[],
    workers: (await Promise.all(workers.map((w) => w.evaluate(names)))) as string[][]
  };
}

test('the engine instantiates DuckDB in its worker once compiled, once, on a page the CSP lets run whole', async ({
  browser
}) => {
  const opened = await openDemo(browser);
  await expect(opened.page).toHaveURL(/\/n\/\w+$/);
  // Loaded as a whole page (the server's render), as when someone opens a link or reloads.
  const page = opened.page;
  const refused: string[] = [];
  page.on('console', (m) => void (/Content Security Policy/i.test(m.text()) && refused.push(m.text())));
  await page.goto(page.url());
  const query = page.getByTestId('cell').nth(1);
  await query.getByRole('button', { name: 'Run cell' }).click();
  await expect(query.getByTestId('run-summary')).toContainText(await demoRows(), { timeout: 60_000 });
  await expect(query.getByTestId('run-error')).toHaveCount(0);
  const marks = await engineMarks(page);
  expect(marks.page).toContain('sheaf:engine:ready');
  expect(marks.workers).toHaveLength(1);
  // The worker instantiated DuckDB on its own as soon as it had compiled it, and only once (the page's INSTANTIATE
  // was answered with it, not run again).
  expect(marks.workers[0]!.filter((m) => m === 'sheaf:worker:instantiated')).toHaveLength(1);
  expect(marks.workers[0]!.filter((m) => m === 'sheaf:worker:instance')).toHaveLength(1);
  // Nothing in the page was refused (a streamed promise's inline script once was: the CSP cannot hash it).
  expect(refused).toEqual([]);
  await opened.context.close();
});

test("a viewer's notebook page does not start the engine", async ({ browser }) => {
  const ada = await person(browser, 'Ada Engine');
  const workspacePath = new URL(ada.page.url()).pathname;
  const vic = await person(browser, 'Vic Engine');
  await invite(ada.page, workspacePath, 'viewer', vic.page);
  await ada.page.goto(workspacePath);
  await ada.page.getByRole('button', { name: 'New notebook' }).click();
  await expect(ada.page.getByTestId('connection-status')).toHaveText('connected');
  // A new notebook's first cell is SQL in the browser: its editor's page starts the engine as it opens.
  await ada.page.goto(ada.page.url());
  await expect.poll(async () => (await engineMarks(ada.page)).page).toContain('sheaf:engine:ready');
  await vic.page.goto(ada.page.url());
  await expect(vic.page.getByTestId('connection-status')).toHaveText('connected');
  await expect(vic.page.getByTestId('cell').first()).toBeVisible();
  expect((await engineMarks(vic.page)).page.filter((m) => m.startsWith('sheaf:engine:'))).toEqual([]);
  await ada.context.close();
  await vic.context.close();
});
