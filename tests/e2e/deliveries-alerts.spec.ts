// Alerts and chat channels as a person sets them up in the publish panel, against the built app, a real SMTP
// server (tests/smtp) and a chat webhook on this machine.
import { expect, test } from '@playwright/test';
import { bodyText, parseMime } from '../integration/helpers/mime';
import { webhookSink } from '../integration/helpers/webhook-sink';
import { comingMinute, mailTo, publishTwoCards, TIME_ZONE, verifyAddress } from './delivery-steps';
import { signUpWithNotebook } from './helpers';

// An alert and a chat channel, both set up in the panel: Ada picks her number card and its column for "when revenue
// > (half what the dashboard shows)", refreshes the dashboard with its "Refresh data" button, and the alert mail
// arrives once (a second refresh, still crossed, sends none). Then she adds a chat webhook weekly, today at the
// coming minute; the server's minute timer posts the dashboard's numbers and link to it as Slack-shaped JSON. The
// panel's log shows both. A second alert, posted to the channel as well, reaches the chat at the next refresh.
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
  const alertText = bodyText(parseMime(alertMail!.raw), 'text/plain');
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

  // A second alert, posted to the channel too: its notice reaches the chat at the next refresh.
  const quarter = String(Math.floor(revenue / 4));
  await form.getByLabel('Value').fill(quarter);
  await form.getByLabel(`Also post to ${hookHost}`).check();
  await form.getByRole('button', { name: 'Add alert' }).click();
  await expect(alerts.getByRole('listitem').nth(1)).toHaveText(
    `query_1.revenue > ${quarter} · also posted to ${hookHost} remove`
  );
  await refresh();
  await expect.poll(() => hook.posts.length, { timeout: 120_000 }).toBe(2);
  expect((hook.posts[1]!.body as { text: string }).text).toContain(
    `Alert on ${title}: query_1.revenue &gt; ${quarter} (now ${shown})`
  );
  await hook.stop();
  await context.close();
});
