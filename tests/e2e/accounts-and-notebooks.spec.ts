import { expect, test } from '@playwright/test';
import { demoResult } from './demo';
import { logIn, PASSWORD, shownNumber, signUp, uniqueEmail } from './helpers';

test('sign up, create a notebook, rename it, find it, log out and back in', async ({ page }) => {
  const me = await signUp(page, 'Grace');
  await expect(page.getByText('No notebooks yet')).toBeVisible();

  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByLabel('Notebook title')).toHaveValue('Untitled notebook');
  await page.getByRole('link', { name: '← Notebooks' }).click();

  await page.getByRole('button', { name: 'Rename Untitled notebook' }).click();
  const title = page.getByLabel('New title');
  await title.fill('Quarterly revenue');
  await title.press('Enter');
  const rows = page.getByTestId('notebook-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByRole('link', { name: 'Quarterly revenue' })).toBeVisible();
  await expect(rows.first()).toContainText('edited just now');

  await page.getByRole('button', { name: 'New notebook' }).click();
  await page.goto(me.workspaceUrl);
  await page.getByLabel('Search notebooks by title').fill('quarterly');
  await page.getByLabel('Search notebooks by title').press('Enter');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Quarterly revenue');

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await page.goto(me.workspaceUrl);
  await expect(page).toHaveURL(/\/login\?next=/);

  await page.getByLabel('Email').fill(me.email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(new RegExp(`${me.workspaceUrl}$`));
  await expect(page.getByRole('link', { name: 'Quarterly revenue' })).toBeVisible();
});

test('delete moves a notebook to the trash; undo and restore bring it back', async ({ page }) => {
  await signUp(page, 'Linus');
  await page.getByRole('button', { name: 'New notebook' }).click();
  await page.getByRole('link', { name: '← Notebooks' }).click();
  await page.getByRole('button', { name: 'Delete Untitled notebook' }).click();
  await expect(page.getByText('Moved “Untitled notebook” to the trash.')).toBeVisible();
  await expect(page.getByTestId('notebook-row')).toHaveCount(0);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByTestId('notebook-row')).toHaveCount(1);

  // Each step waits for what the person sees before the next: leaving a page mid-submit would cancel it.
  await page.getByRole('button', { name: 'Delete Untitled notebook' }).click();
  await expect(page.getByTestId('notebook-row')).toHaveCount(0);
  await page.getByRole('link', { name: 'Trash' }).click();
  const restore = page.getByRole('button', { name: 'Restore Untitled notebook' });
  await restore.click();
  await expect(restore).toHaveCount(0);
  await page.getByRole('link', { name: 'Notebooks', exact: true }).click();
  await expect(page.getByTestId('notebook-row')).toHaveCount(1);
});

test('clear messages for a duplicate email and a wrong password', async ({ page }) => {
  const me = await signUp(page, 'Hedy');
  await page.getByRole('button', { name: 'Log out' }).click();

  await page.goto('/signup');
  await page.getByLabel('Name').fill('Hedy again');
  await page.getByLabel('Email').fill(me.email);
  await page.getByLabel('Password').fill('another password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'An account with that email already exists. Log in instead.'
  );

  await logIn(page, me.email, 'not my password');
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  await expect(page.getByLabel('Email')).toHaveValue(me.email);
});

test('the seeded demo opens with its table and chart shown; running its query again gives the same', async ({
  page
}) => {
  await logIn(page, 'demo@sheaf.local', 'sheaf-demo');
  await page.getByRole('link', { name: 'Demo: US flights' }).click();
  await expect(page.getByTestId('file')).toContainText('flights');
  await expect(page.getByTestId('file')).toContainText('20,000 rows');
  // Nothing pressed: the stored result and the chart are the first screen.
  const query = page.getByTestId('cell').nth(1);
  const chart = page.getByTestId('cell').nth(2);
  const want = await demoResult();
  await expect(query.getByTestId('run-summary')).toContainText(`${want.length} rows`, { timeout: 30_000 });
  const rows = query.getByTestId('result-row');
  await expect(rows.first()).toContainText(shownNumber(want[0]!.flights));
  await expect(chart.locator('svg [aria-roledescription="line mark"]')).toHaveCount(1, { timeout: 30_000 });
  await expect(page.getByText(/Run delays_by_hour to see this chart|not available/)).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('demo-first-screen.png'), fullPage: true });
  // Running it again in the browser agrees with what was stored.
  await query.getByRole('button', { name: 'Run cell' }).click();
  await expect(query.getByTestId('run-summary')).toContainText(`${want.length} rows`, { timeout: 60_000 });
  await expect(rows.first()).toContainText(shownNumber(want[0]!.flights));
  await expect(chart.locator('svg text', { hasText: 'Average delay by hour of departure' })).toHaveCount(1);
  await expect(page.getByTestId('markdown').first()).toContainText('A small tour of Sheaf');
});

test('what someone types before the page has finished loading is kept', async ({ page }) => {
  // Hold the app's scripts back so the form is typed into before Svelte hydrates it.
  let released = false;
  let release = () => {};
  const gate = new Promise<void>((r) => (release = r));
  await page.route('**/_app/immutable/**/*.js', async (route) => {
    if (!released) await gate;
    await route.continue();
  });
  await page.goto('/signup', { waitUntil: 'domcontentloaded' });
  const email = uniqueEmail('early.typist');
  await page.getByLabel('Name').fill('Early Typist');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  released = true;
  release();
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
  await expect(page.getByLabel('Name')).toHaveValue('Early Typist');
  await expect(page.getByLabel('Email')).toHaveValue(email);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: "Early Typist's workspace" })).toBeVisible();
});
