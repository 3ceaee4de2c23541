// Steps a user takes, shared by the e2e specs.
import { expect, type Browser, type Page } from '@playwright/test';
import path from 'node:path';

export const PASSWORD = 'correct horse battery';

export function uniqueEmail(tag: string) {
  return `${tag}.${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}@example.test`;
}

export async function signUp(
  page: Page,
  name: string,
  email = uniqueEmail(name.toLowerCase().replace(/\W+/g, '.'))
) {
  await page.goto('/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: `${name}'s workspace` })).toBeVisible();
  return { name, email, workspaceUrl: new URL(page.url()).pathname };
}

export async function logIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** A cell editor's text as the document holds it (without remote cursors' labels or the placeholder). */
export async function sourceText(page: Page, i: number): Promise<string> {
  return page
    .getByTestId('cell')
    .nth(i)
    .locator('.cm-content')
    .evaluate((el) => {
      const copy = el.cloneNode(true) as HTMLElement;
      copy
        .querySelectorAll('.cm-ySelectionCaret, .cm-ySelectionInfo, .cm-placeholder')
        .forEach((n) => n.remove());
      return [...copy.querySelectorAll('.cm-line')].map((l) => l.textContent ?? '').join('\n');
    });
}

export async function expectSource(page: Page, i: number, text: string) {
  await expect.poll(() => sourceText(page, i)).toBe(text);
}

/** Someone in their own browser context, signed up. */
export async function person(browser: Browser, name: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUp(page, name);
  return { context, page };
}

/** The owner creates an invite link with `role`; the guest opens it and joins. */
export async function invite(owner: Page, workspacePath: string, role: 'editor' | 'viewer', guest: Page) {
  await owner.goto(`${workspacePath}/members`);
  await owner.getByLabel('Role', { exact: true }).selectOption(role);
  await owner.getByRole('button', { name: 'Create invite link' }).click();
  const link = await owner.getByLabel(/Share this link/).inputValue();
  await guest.goto(link);
  await guest.getByRole('button', { name: 'Join workspace' }).click();
}

/** Replaces cell `i`'s source with `text`, typed as a person would. */
export async function typeSql(page: Page, i: number, text: string) {
  await page.getByTestId('cell').nth(i).locator('.cm-content').click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type(text);
}

/** An owner and an editor of one workspace, each in their own browser; the owner has opened a new notebook. */
export async function ownerAndEditor(browser: Browser, ownerName: string, editorName: string) {
  const owner = await person(browser, ownerName);
  const workspacePath = new URL(owner.page.url()).pathname;
  const editor = await person(browser, editorName);
  await invite(owner.page, workspacePath, 'editor', editor.page);
  await owner.page.goto(workspacePath);
  await owner.page.getByRole('button', { name: 'New notebook' }).click();
  await expect(owner.page.getByTestId('connection-status')).toHaveText('connected');
  return { owner, editor, workspacePath };
}

/** A new person with a new, connected notebook open. */
export async function signUpWithNotebook(page: Page, name: string) {
  const who = await signUp(page, name);
  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
  return who;
}

/** A number as result tables show it: thousands grouped, as people read amounts (370,248). */
export const shownNumber = (n: number | string | bigint) =>
  typeof n === 'string' ? n : n.toLocaleString('en-US', { maximumFractionDigits: 6 });

/** Adds the sample PostgreSQL database as the workspace's "Warehouse" connection, through the API as the page does. */
export async function addWarehouse(
  page: Page,
  workspacePath: string,
  sample: { host: string; port: number; database: string; role: string; password: string }
) {
  const created = await page.request.post(`/api/workspaces${workspacePath.slice(2)}/connections`, {
    data: {
      name: 'Warehouse',
      kind: 'postgres',
      host: sample.host,
      port: sample.port,
      database: sample.database,
      user: sample.role,
      password: sample.password,
      ssl: 'disable'
    }
  });
  expect(created.status()).toBe(201);
}

/** Runs notebook cell `i` and waits for its run summary. */
export async function runCell(page: Page, i: number) {
  const cell = page.getByTestId('cell').nth(i);
  await cell.getByRole('button', { name: 'Run cell' }).click();
  await expect(cell.getByTestId('run-summary')).toBeVisible({ timeout: 60_000 });
}

/** Names notebook cell `i`'s result `name`. */
export async function renameResult(page: Page, i: number, name: string) {
  const field = page.getByTestId('cell').nth(i).getByLabel('Result name');
  await field.fill(name);
  await field.press('Enter');
}

/** A new notebook with `file` uploaded (its table listed), from the workspace page. */
export async function newNotebookWithFile(page: Page, file: string) {
  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');
  await page.getByLabel('Upload files').setInputFiles(file);
  await expect(page.getByTestId('file')).toContainText(path.parse(file).name);
}

/** Makes cell `i` (an input cell) a dropdown named `name` of `choices`, set to `value`. */
export async function makeDropdown(page: Page, i: number, name: string, choices: string[], value: string) {
  const cell = page.getByTestId('cell').nth(i);
  await renameResult(page, i, name);
  await cell.getByLabel('Widget').selectOption('dropdown');
  await cell.getByLabel('Choices, one a line').fill(choices.join('\n'));
  await cell.getByLabel('Choices, one a line').blur();
  await cell.getByLabel(name, { exact: true }).selectOption({ label: value });
}

/** Publishes the open notebook's dashboard for anyone with the link (from the dashboard view); its path. */
export async function publishForAnyone(page: Page): Promise<string> {
  await page.getByTestId('publish-toggle').click();
  await page.getByLabel('Who can see it').selectOption({ label: 'Anyone with the link' });
  await page.getByTestId('publish-panel').getByRole('button', { name: 'Publish', exact: true }).click();
  const link = page.getByTestId('dashboard-link');
  await expect(link).toBeVisible({ timeout: 60_000 });
  return new URL((await link.getAttribute('href'))!, page.url()).pathname;
}
