// Steps the delivery specs share: a published dashboard with a number and a table card, verifying one's address
// from the mail, reading what the mail server (tests/smtp) received, and a coming minute in a time zone.
import { expect, type Browser, type Page } from '@playwright/test';
import { mailSinkURL } from '../../playwright.config';
import { bodyText, parseMime } from '../integration/helpers/mime';
import { typeSql } from './helpers';

export const TIME_ZONE = 'Asia/Kolkata'; // not the server's UTC, and a half-hour offset, so a wrong zone shows

const cell = (page: Page, i: number) => page.getByTestId('cell').nth(i);

async function run(page: Page, i: number) {
  await cell(page, i).getByRole('button', { name: 'Run cell' }).click();
  await expect(cell(page, i).getByTestId('run-summary')).toBeVisible({ timeout: 60_000 });
}

export type Sent = { from: string; to: string[]; raw: string };
export async function mailTo(page: Page, address: string): Promise<Sent[]> {
  const all = (await (await page.request.get(mailSinkURL)).json()) as Sent[];
  return all.filter((m) => m.to.includes(address));
}

/**
 * The wall-clock minute in `tz` that starts at least 40 s from now (the form is filled and sent meanwhile), and
 * that minute's weekday there.
 */
export function comingMinute(tz: string): { time: string; weekday: string } {
  const now = Date.now();
  const start = now - (now % 60_000) + 60_000;
  const at = new Date(start - now >= 40_000 ? start : start + 60_000);
  const f = (o: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: tz, ...o }).format(at);
  return {
    time: f({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).replace(/\D*$/, ''),
    weekday: f({ weekday: 'long' })
  };
}

export const cellTexts = (html: string) =>
  [...html.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) =>
    m[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
  );

/** A number card (revenue) and a table (region, total) on the notebook's dashboard, published; its path. */
export async function publishTwoCards(page: Page): Promise<string> {
  await typeSql(page, 0, 'select 1234567.5 as revenue');
  await run(page, 0);
  await page.getByRole('button', { name: 'Add SQL cell below cell 1' }).click();
  await typeSql(page, 1, "select * from (values ('north', 15), ('south', 20), ('east', 7)) t(region, total)");
  await run(page, 1);
  await page.getByRole('button', { name: 'Dashboard', exact: true }).click();
  await page.getByRole('button', { name: 'Add query_1 as a number' }).click();
  await page.getByRole('button', { name: 'Add query_2 as a table' }).click();
  await expect(page.getByTestId('dashboard-item')).toHaveCount(2);

  await page.getByTestId('publish-toggle').click();
  await page.getByTestId('publish-panel').getByRole('button', { name: 'Publish', exact: true }).click();
  const link = page.getByTestId('dashboard-link');
  await expect(link).toBeVisible({ timeout: 60_000 });
  return new URL((await link.getAttribute('href'))!, page.url()).pathname;
}

/**
 * Mail goes only to an address its owner reads: from the open deliveries panel she asks for a link and opens it
 * from the mail, logged out; the panel, opened again, no longer asks.
 */
export async function verifyAddress(browser: Browser, page: Page, ownEmail: string) {
  const panel = page.getByTestId('deliveries-panel');
  await panel.getByRole('button', { name: 'Send me a verification link' }).click();
  await expect(panel.getByTestId('verify-email')).toContainText('We sent you a link');
  let verification: Sent[] = [];
  await expect
    .poll(async () => (verification = await mailTo(page, ownEmail)).length, { timeout: 60_000 })
    .toBe(1);
  const verifyText = bodyText(parseMime(verification[0]!.raw), 'text/plain');
  const verifyLink = /(http\S+\/verify-email\/\S+)/.exec(verifyText)?.[1];
  expect(verifyLink).toBeTruthy();
  const mailbox = await browser.newContext();
  const reader = await mailbox.newPage();
  await reader.goto(verifyLink!);
  await expect(reader.getByRole('heading', { name: 'Address verified' })).toBeVisible();
  await expect(reader.getByText(ownEmail)).toBeVisible();
  await mailbox.close();
  await panel.getByRole('button', { name: 'Hide deliveries' }).click();
  await panel.getByRole('button', { name: 'Email, chat and alerts…' }).click();
  await expect(panel.getByLabel('Deliver')).toBeVisible();
  await expect(panel.getByTestId('verify-email')).toHaveCount(0);
}
