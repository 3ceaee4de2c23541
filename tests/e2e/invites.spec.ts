// Invite links on the members page: the owner sees the links that still work and can revoke one; whoever
// opens a revoked link is told plainly that it no longer works.
import { expect, test } from '@playwright/test';
import { person } from './helpers';

test('an owner revokes an invite link, and opening it then says it was revoked', async ({ browser }) => {
  const owner = await person(browser, 'Owner');
  const workspacePath = new URL(owner.page.url()).pathname;

  await owner.page.goto(`${workspacePath}/members`);
  const links = owner.page.getByRole('table', { name: 'Active invite links' });
  await expect(owner.page.getByText('No invite links are active.')).toBeVisible();
  await owner.page.getByLabel('Role', { exact: true }).selectOption('editor');
  await owner.page.getByRole('button', { name: 'Create invite link' }).click();
  const link = await owner.page.getByLabel(/Share this link/).inputValue();

  // Listed with its role and maker; the token itself is nowhere on the page but in the box just shown.
  const row = links.getByRole('row').filter({ hasText: 'editor' });
  await expect(row).toContainText('Owner');
  await expect(row).toContainText(/in 7 days|next week/);
  const token = link.split('/').pop()!;
  await owner.page.reload();
  expect(await owner.page.content()).not.toContain(token);

  await row.getByRole('button', { name: /^Revoke editor link made by Owner/ }).click();
  await expect(owner.page.getByRole('status')).toHaveText(/Link revoked/);
  await expect(owner.page.getByText('No invite links are active.')).toBeVisible();

  // Someone logged in opens the link…
  const guest = await person(browser, 'Guest');
  const res = await guest.page.goto(link);
  expect(res?.status()).toBe(404);
  await expect(guest.page.getByRole('heading', { name: 'Invitation link not valid' })).toBeVisible();
  await expect(
    guest.page.getByText('This invitation link has been revoked and no longer works.')
  ).toBeVisible();
  await expect(guest.page.getByRole('button', { name: 'Join workspace' })).toHaveCount(0);

  // …and so does someone who is not: told at once, rather than sent to log in first.
  const anonymous = await browser.newContext();
  const visitor = await anonymous.newPage();
  await visitor.goto(link);
  await expect(visitor).toHaveURL(link);
  await expect(visitor.getByText('This invitation link has been revoked and no longer works.')).toBeVisible();

  await owner.context.close();
  await guest.context.close();
  await anonymous.close();
});

test('editors see no invite links and no way to revoke them', async ({ browser }) => {
  const owner = await person(browser, 'Owner');
  const workspacePath = new URL(owner.page.url()).pathname;
  const editor = await person(browser, 'Editor');
  await owner.page.goto(`${workspacePath}/members`);
  await owner.page.getByLabel('Role', { exact: true }).selectOption('editor');
  await owner.page.getByRole('button', { name: 'Create invite link' }).click();
  const link = await owner.page.getByLabel(/Share this link/).inputValue();
  await editor.page.goto(link);
  await editor.page.getByRole('button', { name: 'Join workspace' }).click();
  await editor.page.goto(`${workspacePath}/members`);
  await expect(editor.page.getByRole('heading', { name: 'Members' })).toBeVisible();
  await expect(editor.page.getByRole('table', { name: 'Active invite links' })).toHaveCount(0);
  await expect(editor.page.getByRole('button', { name: /^Revoke/ })).toHaveCount(0);

  // A hand-made revoke post is refused as well.
  const form = await editor.page.request.post(`${workspacePath}/members?/revoke`, {
    form: { inviteId: 'a'.repeat(64) },
    headers: { origin: new URL(editor.page.url()).origin, 'x-sveltekit-action': 'true' }
  });
  expect(await form.text()).toMatch(/only owners/);

  await owner.context.close();
  await editor.context.close();
});
