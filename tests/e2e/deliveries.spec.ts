// Dashboard deliveries as a person uses them: Ada publishes a dashboard, opens "Email, chat and alerts…", verifies
// her address from the link mailed to her, and has it emailed to her daily at a time a minute or two away, in her
// browser's time zone (the server's minute timer queues it; nothing is triggered behind the product's back). The mail reaches a real SMTP server (tests/smtp)
// with the numbers and rows the dashboard shows; its unsubscribe link, opened in a logged-out browser and
// confirmed, ends the subscription, which the panel then no longer lists, and the panel's log shows the mail sent.
// And the mention-mail checkbox under the mentions inbox keeps what was chosen across a reload.
import { expect, test } from '@playwright/test';
import { bodyText, parseMime } from '../integration/helpers/mime';
import {
  cellTexts,
  comingMinute,
  mailTo,
  publishTwoCards,
  TIME_ZONE,
  verifyAddress,
  type Sent
} from './delivery-steps';
import { signUp, signUpWithNotebook } from './helpers';

test('subscribe to a dashboard by email, receive it, unsubscribe from the mail logged out', async ({
  browser
}, testInfo) => {
  test.setTimeout(360_000);
  const context = await browser.newContext({ timezoneId: TIME_ZONE });
  const page = await context.newPage();
  const { email: ownEmail } = await signUpWithNotebook(page, 'Ada Mailer');
  const notebookUrl = page.url();

  const dashboardPath = await publishTwoCards(page);

  // Nothing subscribed yet: the panel says what to do.
  const panel = page.getByTestId('deliveries-panel');
  await panel.getByRole('button', { name: 'Email, chat and alerts…' }).click();
  await expect(panel.getByLabel('Deliver')).toBeVisible();
  await expect(panel.getByTestId('mail-not-configured')).toHaveCount(0); // the e2e server has SMTP
  await expect(panel.getByTestId('no-subscriptions')).toBeVisible();
  await panel.screenshot({ path: testInfo.outputPath('deliveries-empty.png') });

  await verifyAddress(browser, page, ownEmail);

  // Daily, at the coming minute of her own clock.
  await panel.getByLabel('Deliver').selectOption({ label: 'every day' });
  const at = comingMinute(TIME_ZONE).time;
  await panel.getByLabel(/^Time \(/).fill(at);
  await panel.getByRole('button', { name: 'Email it to me' }).click();
  const listed = panel.getByTestId('subscription');
  await expect(listed).toHaveCount(1);
  // As the browser names the zone (Chromium says Asia/Calcutta, the older name of the same zone).
  const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  await expect(listed).toContainText(`Ada Mailer: daily at ${at} (${zone})`);
  await expect(panel.getByRole('button', { name: 'Stop emailing me' })).toBeVisible();
  await panel.screenshot({ path: testInfo.outputPath('deliveries-subscribed.png') });

  // The server's minute timer queues it once the minute has come; the sender mails it.
  let sent: Sent[] = [];
  await expect
    .poll(async () => (sent = await mailTo(page, ownEmail)).length, { timeout: 240_000, intervals: [2_000] })
    .toBe(2); // the verification, then the dashboard
  const mail = parseMime(sent[1]!.raw);
  const html = bodyText(mail, 'text/html');
  const text = bodyText(mail, 'text/plain');

  // The mail's numbers are the dashboard's.
  await page.goto(dashboardPath);
  const shownNumber = await page.getByTestId('big-number-value').textContent();
  expect(shownNumber).toBeTruthy();
  expect(html).toMatch(new RegExp(`data-number="query_1">${shownNumber!.replace(/[.]/g, '\\.')}<`));
  expect(text).toContain(`revenue: ${shownNumber}`);
  const shownCells = await page.getByTestId('rows-table').locator('td').allTextContents();
  expect(shownCells).toEqual(['north', '15', 'south', '20', 'east', '7']);
  expect(cellTexts(html)).toEqual(shownCells);

  // The unsubscribe link, in a browser that has never logged in: a page asks first, then it is done.
  const unsubscribe = /<([^>]+)>/.exec(mail.headers.get('list-unsubscribe') ?? '')?.[1];
  expect(unsubscribe).toMatch(/\/unsubscribe\//);
  expect(text).toContain(`Unsubscribe: ${unsubscribe}`);
  const stranger = await browser.newContext();
  const anon = await stranger.newPage();
  await anon.goto(unsubscribe!);
  await expect(anon.getByRole('heading', { name: 'Unsubscribe?' })).toBeVisible();
  await expect(anon.getByTestId('unsubscribe-text')).toContainText(`to ${ownEmail}?`);
  await anon.getByRole('button', { name: 'Unsubscribe' }).click();
  await expect(anon.getByRole('heading', { name: 'Unsubscribed' })).toBeVisible();
  await expect(anon.getByTestId('unsubscribe-text')).toContainText('You will no longer receive');
  await stranger.close();

  // Her panel no longer lists it; its log has the mail sent to her.
  await page.goto(notebookUrl);
  await page.getByTestId('publish-toggle').click();
  await panel.getByRole('button', { name: 'Email, chat and alerts…' }).click();
  await expect(panel.getByRole('button', { name: 'Email it to me' })).toBeVisible();
  await expect(panel.getByTestId('subscription')).toHaveCount(0);
  await expect(panel.getByRole('button', { name: 'Stop emailing me' })).toHaveCount(0);
  const log = panel.getByTestId('delivery-log');
  await log.getByText(/Delivery log/).click();
  const entries = log.locator('tbody tr');
  await expect(entries).toHaveCount(1);
  await expect(entries).toContainText('sent');
  await expect(entries).toContainText(ownEmail);
  await panel.screenshot({ path: testInfo.outputPath('deliveries-log.png') });
  await context.close();
});

test('the mention-mail checkbox keeps what was chosen', async ({ page }) => {
  const { workspaceUrl } = await signUp(page, 'Mo Mentions');
  await page.goto(workspaceUrl);
  const box = page.getByLabel('Email me when someone mentions me or replies to my comments');
  await expect(box).toBeChecked();
  const saved = () => page.waitForResponse((r) => r.url().endsWith('/api/notification-settings') && r.ok());
  await Promise.all([saved(), box.uncheck()]);
  await page.reload();
  await expect(box).not.toBeChecked();
  await Promise.all([saved(), box.check()]);
  await page.reload();
  await expect(box).toBeChecked();
});
