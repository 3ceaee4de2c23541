// Requests a browser would not make on its own: cross-site posts, huge bodies, other people's pages.
import { expect, request as playwrightRequest, test } from '@playwright/test';
import { signUp, uniqueEmail } from './helpers';

test('a cross-site form post is refused', async ({ request, baseURL }) => {
  const res = await request.post('/login', {
    form: { email: 'demo@sheaf.local', password: 'sheaf-demo' },
    headers: { origin: 'https://evil.example' },
    maxRedirects: 0
  });
  expect(res.status()).toBe(403);
  expect(await res.text()).toMatch(/Cross-site POST form submissions are forbidden/);
  expect(res.headers()['set-cookie']).toBeUndefined();
  // The same post from our own origin is accepted (and logs in), so the 403 above is the origin check.
  const same = await request.post('/login', {
    form: { email: 'demo@sheaf.local', password: 'sheaf-demo' },
    headers: { origin: baseURL!, accept: 'text/html' },
    maxRedirects: 0
  });
  expect(same.status()).toBe(303);
  expect(same.headers()['set-cookie']).toMatch(/sheaf_session=[a-z2-7]{32}; .*HttpOnly; SameSite=Lax/);
});

test('a 10 MB request body gets 413 and the server stays up', async ({ request, baseURL }) => {
  const res = await request.post('/signup', {
    data: 'x'.repeat(10 * 1024 * 1024),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseURL! }
  });
  expect(res.status()).toBe(413);
  const health = await request.get('/healthz');
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true, database: 'reachable' });
});

test("someone else's notebook is a 404, and a viewer cannot rename", async ({ browser, baseURL }) => {
  const ownerCtx = await browser.newContext();
  const owner = await ownerCtx.newPage();
  await signUp(owner, 'Owner');
  await owner.getByRole('button', { name: 'New notebook' }).click();
  await expect(owner.getByLabel('Notebook title')).toHaveValue('Untitled notebook');
  const notebookPath = new URL(owner.url()).pathname;
  const notebookId = notebookPath.split('/').pop()!;
  const workspacePath = await owner.getByRole('link', { name: '← Notebooks' }).getAttribute('href');

  const strangerCtx = await browser.newContext();
  const stranger = await strangerCtx.newPage();
  await signUp(stranger, 'Stranger');
  const res = await stranger.goto(notebookPath);
  expect(res?.status()).toBe(404);
  await expect(stranger.getByRole('heading', { name: 'Not found' })).toBeVisible();
  expect((await stranger.goto(workspacePath!))?.status()).toBe(404);

  // The owner invites a viewer by link.
  await owner.goto(`${workspacePath}/members`);
  await owner.getByLabel('Role', { exact: true }).selectOption('viewer');
  await owner.getByRole('button', { name: 'Create invite link' }).click();
  const link = await owner.getByLabel(/Share this link/).inputValue();
  await stranger.goto(link);
  await stranger.getByRole('button', { name: 'Join workspace' }).click();
  await expect(stranger.getByRole('link', { name: 'Untitled notebook' })).toBeVisible();
  await expect(stranger.getByRole('button', { name: 'Rename Untitled notebook' })).toHaveCount(0);
  await expect(stranger.getByRole('button', { name: 'New notebook' })).toHaveCount(0);

  // Posting the rename form directly with the viewer's cookies is refused, and nothing changes.
  const api = await playwrightRequest.newContext({ baseURL, storageState: await strangerCtx.storageState() });
  const post = await api.post(`${workspacePath}?/rename`, {
    form: { id: notebookId, title: 'Renamed by a viewer' },
    headers: { origin: baseURL!, 'x-sveltekit-action': 'true' }
  });
  const body = await post.json();
  expect(body.type).toBe('failure');
  expect(body.status).toBe(403);
  await owner.goto(workspacePath!);
  await expect(owner.getByRole('link', { name: 'Untitled notebook' })).toBeVisible();
  await api.dispose();
  await ownerCtx.close();
  await strangerCtx.close();
});

test('an SQL-looking title is just a title', async ({ page }) => {
  await signUp(page, 'Bobby', uniqueEmail('bobby'));
  await page.getByRole('button', { name: 'New notebook' }).click();
  await page.getByRole('link', { name: '← Notebooks' }).click();
  await page.getByRole('button', { name: 'Rename Untitled notebook' }).click();
  const evil = `x'); DROP TABLE notebooks; -- <b>bold</b>`;
  await page.getByLabel('New title').fill(evil);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('link', { name: evil })).toBeVisible();
  await page.getByRole('button', { name: 'New notebook' }).click();
  await page.goto('/');
  await expect(page.getByTestId('notebook-row')).toHaveCount(2);
});
