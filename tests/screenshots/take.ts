// `npm run screenshots`: the README's pictures, taken from the real app so they show Sheaf as it is. Starts
// `npm start`'s entry (building first when the build is stale) on a throwaway data folder with the seeded demo,
// logs in as the demo user in Chromium, runs the demo notebook's query, waits for its table and chart, and
// photographs the notebook; then puts the chart and the result on the dashboard (unless the demo already has a
// dashboard), publishes it for anyone with the link and photographs it from a logged-out browser. Each picture is
// checked before it is written: a result table with rows and a chart with marks, or it stops.
//   npm run screenshots        (needs Chromium: CHROMIUM_PATH, or Debian's /usr/bin/chromium)
// The pictures live beside this script, not in static/ (which the app serves to everyone) and not at the top of the
// repository: like the e2e tests, they are the real app driven in Chromium, and rerunning this keeps them true.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, expect, type Browser, type Locator, type Page } from '@playwright/test';
import { DEMO } from '../../server/db/seed';
import { freePort } from '../integration/helpers/free-port';

const OUT = path.resolve('tests/screenshots');
/** Both pictures are 1280×800. The dashboard is a 1280×800 window; the notebook is the same window zoomed out to
 * 70% (as Ctrl+minus would), since at 100% its query, result table and chart do not fit in 800 pixels. */
const DASHBOARD_WINDOW = { viewport: { width: 1280, height: 800 } };
const NOTEBOOK_WINDOW = { viewport: { width: 1829, height: 1143 }, deviceScaleFactor: 0.7 };
/** DuckDB-WASM's first start and a cold build of the page's code take a while on a busy machine. */
const SLOW = { timeout: 90_000 };

/** `npm start` on a fresh data folder: the embedded database, seeded with the demo account and notebook. */
async function startSheaf(dataDir: string): Promise<{ base: string; app: ChildProcess }> {
  const port = await freePort();
  const app = spawn(process.execPath, ['--import', 'tsx', 'server/start.ts'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SEED_DEMO: '1'
    }
  });
  let out = '';
  const show = (t: string) => {
    out += t;
    process.stdout.write(t.replace(/^(?=.)/gm, '  app: '));
  };
  app.stdout!.setEncoding('utf8').on('data', show);
  app.stderr!.setEncoding('utf8').on('data', show);
  await new Promise<void>((resolve, reject) => {
    const check = () => out.includes('Sheaf is running') && resolve();
    app.stdout!.on('data', check);
    app.once('exit', (code) => reject(new Error(`Sheaf exited (${code}) before it was serving`)));
  });
  return { base: `http://127.0.0.1:${port}`, app };
}

async function logIn(page: Page, base: string) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(DEMO.email);
  await page.getByLabel('Password').fill(DEMO.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: `${DEMO.name}'s workspace` })).toBeVisible();
}

/** Presses Run on the notebook's first SQL cell and waits for its result, whether or not one was stored. */
async function runQuery(page: Page): Promise<Locator> {
  const cell = page
    .getByTestId('cell')
    .filter({ has: page.getByRole('button', { name: 'Run cell' }) })
    .first();
  await cell.getByRole('button', { name: 'Run cell' }).click();
  // While it runs, Cancel replaces Run; a stored result's summary must not pass for this run's.
  await expect(cell.getByRole('button', { name: 'Cancel' }))
    .toBeVisible({ timeout: 2_000 })
    .catch(() => {}); // a run quicker than this check has finished already
  await expect(cell.getByRole('button', { name: 'Run cell' })).toBeVisible(SLOW);
  await expect(cell.getByTestId('run-error')).toHaveCount(0);
  await expect(cell.getByTestId('run-summary')).toContainText('rows', SLOW);
  await expect(cell.getByTestId('result-row').first()).toBeVisible();
  return cell;
}

/** Waits until `scope` holds a drawn chart: an SVG with at least one mark. */
async function chartDrawn(scope: Locator | Page, chart: string) {
  await expect(scope.locator(`${chart} svg [aria-roledescription$="mark"]`).first()).toBeVisible(SLOW);
}

/** Presses `key` `times` times on a dashboard card, as a keyboard user moves (arrows) or resizes (Shift) it. */
async function press(card: Locator, key: string, times: number) {
  for (let i = 0; i < times; i++) {
    await card.focus();
    await card.press(key);
  }
}

/** Puts the notebook's charts and its query results (as tables) on the dashboard, unless the notebook has a
 * dashboard already; one chart and one table go side by side, as an author would arrange them. */
async function composeDashboard(page: Page) {
  await page.getByRole('button', { name: 'Dashboard', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Dashboard' })).toBeVisible();
  const cards = page.getByTestId('dashboard-item');
  if ((await cards.count()) > 0) return;
  const add = page.getByRole('complementary', { name: 'Add to dashboard' });
  for (const name of [/^Add .* to the dashboard$/, /^Add .* as a table$/]) {
    // Not the demo's texts: they speak to someone editing the notebook.
    const buttons = add
      .getByTestId('dashboard-candidate')
      .filter({ has: page.locator('.kind', { hasText: /^(Chart|SQL)$/ }) });
    // Each click takes its card off the list, so the first matching button is always the next one.
    while ((await buttons.getByRole('button', { name }).count()) > 0) {
      const before = await cards.count();
      await buttons.getByRole('button', { name }).first().click();
      await expect(cards).toHaveCount(before + 1);
    }
  }
  const chart = page.locator('[data-testid="dashboard-item"][data-view="chart"]');
  const table = page.locator('[data-testid="dashboard-item"][data-view="table"]');
  if ((await chart.count()) === 1 && (await table.count()) === 1) {
    // Stacked by default: the chart takes 8 of the 12 columns, the table the 4 beside it, both a little taller.
    await press(chart, 'Shift+ArrowRight', 2);
    await press(chart, 'Shift+ArrowDown', 3);
    await press(table, 'Shift+ArrowLeft', 8);
    await press(table, 'ArrowRight', 8);
    await press(table, 'ArrowUp', 8);
    await press(table, 'Shift+ArrowDown', 3);
  }
  await expect(cards.first()).toBeVisible();
}

async function publishForAnyone(page: Page): Promise<string> {
  await page.getByTestId('publish-toggle').click();
  const panel = page.getByTestId('publish-panel');
  await panel.getByLabel('Who can see it').selectOption({ label: 'Anyone with the link' });
  await panel.getByRole('button', { name: /^(Publish|Re-publish)$/ }).click();
  const link = panel.getByTestId('dashboard-link');
  await expect(link).toBeVisible(SLOW);
  return (await link.getAttribute('href'))!;
}

async function take(browser: Browser, base: string) {
  const author = await browser.newContext(NOTEBOOK_WINDOW);
  const page = await author.newPage();
  await logIn(page, base);
  await page.getByRole('link', { name: /^Demo/ }).first().click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected', SLOW);

  const query = await runQuery(page);
  await chartDrawn(page, '[data-testid="chart"][data-state="ready"]');
  // The picture starts at the query, so its table and the chart below it both show.
  const top = (await query.boundingBox())!.y + (await page.evaluate(() => window.scrollY));
  await page.evaluate((y) => window.scrollTo(0, y), Math.max(0, top - 12));
  await expect(query.getByTestId('result-row').first()).toBeInViewport();
  await expect(page.locator('[data-testid="chart"] svg').first()).toBeInViewport({ ratio: 1 });
  await page.mouse.move(0, 0); // no hover effects
  await page.screenshot({ path: path.join(OUT, 'notebook.png') });
  console.log(`  wrote ${path.relative(process.cwd(), path.join(OUT, 'notebook.png'))}`);

  await composeDashboard(page);
  const link = await publishForAnyone(page);

  // A stranger with the link, logged out.
  const stranger = await browser.newContext(DASHBOARD_WINDOW);
  const viewer = await stranger.newPage();
  await viewer.goto(new URL(link, base).href);
  await expect(viewer.getByTestId('dashboard')).toBeVisible();
  await chartDrawn(viewer, '[data-testid="published-chart"][data-state="live"]');
  await expect(viewer.getByTestId('rows-table').first().locator('tbody tr').first()).toBeVisible();
  await viewer.mouse.move(0, 0);
  await viewer.screenshot({ path: path.join(OUT, 'dashboard.png') });
  console.log(`  wrote ${path.relative(process.cwd(), path.join(OUT, 'dashboard.png'))}`);
  await stranger.close();
  await author.close();
}

const dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-screenshots-'));
let app: ChildProcess | undefined;
let browser: Browser | undefined;
try {
  console.log('screenshots: starting Sheaf with the demo on a throwaway data folder');
  const started = await startSheaf(dataDir);
  app = started.app;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run']
  });
  await take(browser, started.base);
} catch (e) {
  console.error(`screenshots failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  if (app && app.exitCode === null) {
    const exited = new Promise((r) => app!.once('exit', r));
    app.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
  await rm(dataDir, { recursive: true, force: true });
}
