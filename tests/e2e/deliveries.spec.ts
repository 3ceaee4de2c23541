// Dashboard deliveries as a person uses them: Ada publishes a dashboard, opens "Email, chat and alerts…", verifies
// her address from the link mailed to her, and has it emailed to her daily at a time a minute or two away, in her
// browser's time zone (the server's minute timer queues it; nothing is triggered behind the product's back). The mail reaches a real SMTP server (tests/smtp)
// with the numbers and rows the dashboard shows; its unsubscribe link, opened in a logged-out browser and
// confirmed, ends the subscription, which the panel then no longer lists, and the panel's log shows the mail sent.
// And the mention-mail checkbox under the mentions inbox keeps what was chosen across a reload.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { mailSinkURL } from '../../playwright.config';
import { leaves, parseMime, type MimePart } from '../integration/helpers/mime';
import { webhookSink } from '../integration/helpers/webhook-sink';
import { signUp, signUpWithNotebook, typeSql } from './helpers';

const TIME_ZONE = 'Asia/Kolkata'; // not the server's UTC, and a half-hour offset, so a wrong zone shows

const cell = (page: Page, i: number) => page.getByTestId('cell').nth(i);

async function run(page: Page, i: number) {
  await cell(page, i).getByRole('button', { name: 'Run cell' }).click();
  await expect(cell(page, i).getByTestId('run-summary')).toBeVisible({ timeout: 60_000 });
}

type Sent = { from: string; to: string[]; raw: string };
async function mailTo(page: Page, address: string): Promise<Sent[]> {
  const all = (await (await page.request.get(mailSinkURL)).json()) as Sent[];
  return all.filter((m) => m.to.includes(address));
}

/**
 * The wall-clock minute in `tz` that starts at least 40 s from now (the form is filled and sent meanwhile), and
 * that minute's weekday there.
 */
function comingMinute(tz: string): { time: string; weekday: string } {
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

const part = (mail: MimePart, type: string) =>
  leaves(mail).find((p) => (p.headers.get('content-type') ?? '').startsWith(type));

const cellTexts = (html: string) =>
  [...html.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) =>
    m[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
  );

/** A number card (revenue) and a table (region, total) on the notebook's dashboard, published; its path. */
async function publishTwoCards(page: Page): Promise<string> {
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
async function verifyAddress(browser: Browser, page: Page, ownEmail: string) {
  const panel = page.getByTestId('deliveries-panel');
  await panel.getByRole('button', { name: 'Send me a verification link' }).click();
  await expect(panel.getByTestId('verify-email')).toContainText('We sent you a link');
  let verification: Sent[] = [];
  await expect
    .poll(async () => (verification = await mailTo(page, ownEmail)).length, { timeout: 60_000 })
    .toBe(1);
  const verifyText = part(parseMime(verification[0]!.raw), 'text/plain')!.body.toString('utf8');
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
  const html = part(mail, 'text/html')!.body.toString('utf8');
  const text = part(mail, 'text/plain')!.body.toString('utf8');

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

// An alert and a chat channel, both set up in the panel: Ada picks her number card and its column for "when revenue
// > (half what the dashboard shows)", refreshes the dashboard with its "Refresh data" button, and the alert mail
// arrives once (a second refresh, still crossed, sends none). Then she adds a chat webhook weekly, today at the
// coming minute; the server's minute timer posts the dashboard's numbers and link to it as Slack-shaped JSON. The
// panel's log shows both.
test('an alert picked from the dashboard’s cards fires once on refresh; a chat channel gets the numbers', async ({
  browser
}, testInfo) => {
  test.setTimeout(480_000);
  // A chat's incoming webhook on this machine (the e2e server's CONNECTION_ALLOW_HOSTS lets it post here).
  const hook = await webhookSink();
  const hookHost = new URL(hook.url).host;
  const context = await browser.newContext({ timezoneId: TIME_ZONE });
  const page = await context.newPage();
  const { email: ownEmail } = await signUpWithNotebook(page, 'Cy Alerts');
  const notebookUrl = page.url();
  const dashboardPath = await publishTwoCards(page);
  const panel = page.getByTestId('deliveries-panel');
  await panel.getByRole('button', { name: 'Email, chat and alerts…' }).click();
  await verifyAddress(browser, page, ownEmail);

  // What the dashboard shows, read as a person reads it.
  const board = await context.newPage();
  await board.goto(dashboardPath);
  const title = (await board.getByRole('heading', { level: 1 }).textContent())!.trim();
  const shown = (await board.getByTestId('big-number-value').textContent())!.trim();
  const revenue = Number(shown.replace(/,/g, ''));
  expect(revenue).toBeGreaterThan(0);
  const threshold = String(Math.floor(revenue / 2));

  // The form offers the dashboard's cards, the number card first with its column; a table offers only the
  // columns that show numbers.
  const form = panel.getByTestId('alert-form');
  const result = form.getByLabel('Result');
  const column = form.getByLabel('Column');
  await expect(result.locator('option')).toHaveText(['query_1 (number card)', 'query_2 (table)']);
  await expect(result).toHaveValue('query_1');
  await expect(column).toHaveValue('revenue');
  await result.selectOption({ label: 'query_2 (table)' });
  await expect(column.locator('option')).toHaveText(['total']);
  // A value that is not a number is refused in words.
  await form.getByLabel('Value').fill('lots');
  await form.getByRole('button', { name: 'Add alert' }).click();
  await expect(panel.getByRole('alert')).toHaveText('Give a number to compare with.');
  await result.selectOption({ label: 'query_1 (number card)' });
  await expect(column).toHaveValue('revenue');
  await form.getByLabel('Compared').selectOption('>');
  await form.getByLabel('Value').fill(threshold);
  await form.getByRole('button', { name: 'Add alert' }).click();
  const alerts = panel.getByRole('list', { name: 'Alerts' });
  await expect(alerts.getByRole('listitem')).toHaveText([`query_1.revenue > ${threshold} remove`]);
  await panel.screenshot({ path: testInfo.outputPath('alert-added.png') });

  // Refreshing the dashboard as its editor does: the alert holds, and its mail comes.
  const refresh = async () => {
    const button = board.getByRole('button', { name: 'Refresh data' });
    await Promise.all([
      board.waitForResponse((r) => r.url().includes('/refresh') && r.request().method() === 'POST', {
        timeout: 180_000
      }),
      button.click()
    ]);
    await expect(board.getByRole('button', { name: 'Refresh data' })).toBeEnabled({ timeout: 60_000 });
    await expect(board.getByTestId('refresh-error')).toHaveCount(0);
  };
  const alertMails = async () =>
    (await mailTo(page, ownEmail)).filter((m) =>
      parseMime(m.raw).headers.get('subject')?.startsWith('Alert on ')
    );
  await refresh();
  await expect.poll(async () => (await alertMails()).length, { timeout: 120_000 }).toBe(1);
  const [alertMail] = await alertMails();
  const alertText = part(parseMime(alertMail!.raw), 'text/plain')!.body.toString('utf8');
  expect(alertText).toContain(`Alert on ${title}: query_1.revenue > ${threshold} (now ${shown})`);
  expect(alertText).toContain(dashboardPath);
  // Still crossed at the next refresh: no second mail (what it would have queued is sent long before the
  // channel's minute below, whose post is waited for).
  await refresh();

  // A chat channel, weekly on today at the coming minute.
  await page.goto(notebookUrl);
  await page.getByTestId('publish-toggle').click();
  await panel.getByRole('button', { name: 'Email, chat and alerts…' }).click();
  await expect(alerts.getByRole('listitem')).toHaveText([
    `query_1.revenue > ${threshold} (crossed now) remove`
  ]);
  const when = comingMinute(TIME_ZONE);
  await panel.getByLabel('Deliver').selectOption({ label: 'every week' });
  await panel.getByLabel(/^On /).selectOption({ label: when.weekday });
  await panel.getByLabel(/^Time \(/).fill(when.time);
  await panel.getByLabel(/^Webhook URL/).fill(hook.url);
  await panel.getByRole('button', { name: 'Add channel' }).click();
  const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  await expect(panel.getByTestId('subscription').filter({ hasText: 'Webhook' })).toHaveText(
    `Webhook ${hookHost}: ${when.weekday}s at ${when.time} (${zone}) remove`
  );

  await expect.poll(() => hook.posts.length, { timeout: 240_000, intervals: [2_000] }).toBe(1);
  const post = hook.posts[0]!;
  expect(post.path).toBe(new URL(hook.url).pathname);
  expect(post.contentType).toBe('application/json');
  const lines = (post.body as { text: string }).text.split('\n');
  expect(lines[0]).toMatch(
    new RegExp(`^\\*${title}\\* — data as of \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC$`)
  );
  expect(lines).toContain(`• revenue: ${shown}`);
  const link = /^<(\S+)\|Open the dashboard>$/.exec(lines.at(-1)!)?.[1];
  expect(new URL(link!).pathname).toBe(dashboardPath);
  expect(await alertMails()).toHaveLength(1);

  // The log: the alert mailed to her, the dashboard posted to the channel.
  await page.reload();
  await page.getByTestId('publish-toggle').click();
  await panel.getByRole('button', { name: 'Email, chat and alerts…' }).click();
  const log = panel.getByTestId('delivery-log');
  await log.getByText(/Delivery log/).click();
  const entries = log.locator('tbody tr');
  await expect(entries).toHaveCount(2);
  const rows = (await entries.all()).map((r) => r.locator('td'));
  const cells = await Promise.all(rows.map(async (r) => (await r.allTextContents()).slice(1, 4)));
  expect(cells.sort()).toEqual(
    [
      ['sent', 'alert', ownEmail],
      ['sent', 'dashboard', `webhook ${hookHost}`]
    ].sort()
  );
  await panel.screenshot({ path: testInfo.outputPath('alert-and-channel-log.png') });
  await hook.stop();
  await context.close();
});
