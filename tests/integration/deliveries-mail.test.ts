// Dashboards delivered over real protocols: a local SMTP server receives the subscription email (its HTML, the
// charts as inline PNGs of the right size, the dashboard's own numbers), the unsubscribe link works over HTTP
// without a session, a local HTTP server receives the webhook's Slack-shaped post, a removed member gets nothing
// at once, and with the SMTP server down the message is retried and logged, then sent once it is back.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { svgSize } from '../../server/deliveries/chart-png';
import { deliveryLog } from '../../server/deliveries/delivery-log';
import { deliverDue } from '../../server/deliveries/worker';
import { createAlert, listAlerts } from '../../server/deliveries/alerts';
import {
  subscribeByEmail,
  subscribeWebhook,
  listSubscriptions,
  removeSubscription
} from '../../server/deliveries/subscriptions';
import { createRawHandler } from '../../server/http/raw-routes';
import { openDashboard } from '../../server/publish/open-dashboard';
import { refreshPublication, updatePublication } from '../../server/publish/publications';
import { removeMember } from '../../server/workspaces/workspaces';
import {
  deliveryFixture,
  logOf,
  ORIGIN,
  salesDashboard,
  type DeliveryFixture
} from './helpers/delivery-fixture';
import { freePort } from './helpers/free-port';
import { bodyText, leaves, pngSize } from './helpers/mime';
import { join, person, verifyEmail } from './helpers/people';
import { webhookSink, type WebhookSink } from './helpers/webhook-sink';

let f: DeliveryFixture;
let hooks: WebhookSink;
let http: Server;
let base: string;

beforeAll(async () => {
  f = await deliveryFixture();
  hooks = await webhookSink();
  const raw = createRawHandler({
    getDb: async () => f.t.db,
    dataDir: f.dataDir,
    uploadLimitBytes: 1e6,
    secretBox: () => f.box,
    unsubscribeKey: () => f.unsubscribeKey
  });
  http = createServer((req, res) => {
    if (!raw(req, res)) res.writeHead(404).end();
  });
  const port = await freePort();
  await new Promise<void>((r) => http.listen(port, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${port}`;
}, 120_000);
afterAll(async () => {
  await new Promise((r) => http?.close(r));
  await hooks?.stop();
  await f?.cleanup();
});

describe('a subscription email', () => {
  it('is refused "after each refresh" on a dashboard that refreshes only by hand, where it would never send', async () => {
    const { ann, nb } = await salesDashboard(f);
    await updatePublication(f.t.db, ann.id, nb.id, { schedule: 'off' });
    await expect(subscribeByEmail(f.t.db, ann.id, nb.id, { cadence: 'refresh' })).rejects.toThrow(
      'This dashboard refreshes only when someone asks'
    );
    // A time of day still works, and so does "after each refresh" once it is scheduled again.
    await subscribeByEmail(f.t.db, ann.id, nb.id, {
      cadence: 'daily',
      time: '08:00',
      timeZone: 'Europe/Paris'
    });
    await updatePublication(f.t.db, ann.id, nb.id, { schedule: 'daily' });
    await subscribeByEmail(f.t.db, ann.id, nb.id, { cadence: 'refresh' });
    expect((await listSubscriptions(f.t.db, ann.id, nb.id)).map((s) => s.cadence)).toEqual(['refresh']);
  });

  it('carries the dashboard as HTML with inline PNG charts and its numbers, and unsubscribes logged out', async () => {
    const { ann, nb, slug } = await salesDashboard(f);
    const bob = await person(f.t.db, 'Subscribing Bob');
    await verifyEmail(f.t.db, bob);
    await join(f.t.db, ann, bob, 'viewer');
    await subscribeByEmail(f.t.db, bob.id, nb.id, { cadence: 'refresh' });

    await refreshPublication(f.t.db, f.deps(), nb.id, { scheduled: true });
    expect(await f.drain()).toBe(1);
    const [mail] = await f.smtp.waitFor(1);
    expect(mail!.to).toEqual([bob.email]);
    expect(mail!.mail.headers.get('subject')).toBe('Sales board');

    const page = await openDashboard(f.t.db, f.dataDir, slug, ann.id);
    const number = page.dashboard.items.find((i) => i.view === 'number')!;
    const chart = page.dashboard.items.find((i) => i.view === 'chart')!;
    if (number.view !== 'number' || chart.view !== 'chart') throw new Error('cards missing');
    const body = bodyText(mail!.mail, 'text/html');
    expect(body).toContain(`data-number="grand">${number.value}</div>`);
    expect(number.value).toBe('42');
    expect(body).toContain(
      '<td style="padding:4px 8px;border-bottom:1px solid #eaeef2;font-size:13px">north</td>'
    );
    expect(body).toContain(`href="${ORIGIN}/d/${slug}"`);
    expect(body).toContain('<strong>region</strong>');

    // The chart: an <img> of a cid: attachment, a PNG at twice the SVG's size.
    const cid = /<img src="cid:([^"]+)" width="(\d+)" height="(\d+)"/.exec(body);
    expect(cid).not.toBeNull();
    const part = leaves(mail!.mail).find((p) => p.headers.get('content-id') === `<${cid![1]}>`)!;
    expect(part.headers.get('content-type')).toMatch(/^image\/png/);
    const size = svgSize(chart.svg!)!;
    expect(pngSize(part.body)).toEqual({
      width: Math.round(size.width) * 2,
      height: Math.round(size.height) * 2
    });
    // Shown at its own size, or narrowed to the mail's 560-pixel column keeping its shape.
    const shown = Math.min(1, 560 / Math.round(size.width));
    expect(Number(cid![2])).toBe(Math.round(Math.round(size.width) * shown));
    expect(Number(cid![3])).toBe(Math.round(Math.round(size.height) * shown));

    // Unsubscribing: the header and the link point at the same signed URL; GET asks, POST does it, no cookie.
    const link = /href="(http:\/\/sheaf\.test\/unsubscribe\/[^"]+)"/.exec(body)![1]!;
    expect(mail!.mail.headers.get('list-unsubscribe')).toBe(`<${link}>`);
    expect(mail!.mail.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const local = link.replace(ORIGIN, base);
    const asked = await fetch(local);
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain(`Stop sending “Sales board” to ${bob.email}?`);
    expect(await listSubscriptions(f.t.db, bob.id, nb.id)).toHaveLength(1); // a GET changes nothing
    const forged = await fetch(local.slice(0, -3) + 'AAA', { method: 'POST' });
    expect(forged.status).toBe(404);
    expect(await listSubscriptions(f.t.db, bob.id, nb.id)).toHaveLength(1);
    const done = await fetch(local, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(await done.text()).toContain('You will no longer receive “Sales board” by email.');
    expect(await listSubscriptions(f.t.db, bob.id, nb.id)).toHaveLength(0);

    await refreshPublication(f.t.db, f.deps(), nb.id, { scheduled: true });
    expect(await f.drain()).toBe(0);
    expect(f.smtp.received).toHaveLength(1);
  }, 180_000);

  it('is not sent to a member removed from the workspace, even when already queued', async () => {
    const { ann, nb } = await salesDashboard(f);
    const carol = await person(f.t.db, 'Leaving Carol');
    await verifyEmail(f.t.db, carol);
    await join(f.t.db, ann, carol, 'viewer');
    await subscribeByEmail(f.t.db, carol.id, nb.id, { cadence: 'refresh' });
    const before = f.smtp.received.length;
    await refreshPublication(f.t.db, f.deps(), nb.id, { scheduled: true }); // queued while she is a member
    await removeMember(f.t.db, ann.id, ann.workspaceId, carol.id);
    await f.drain();
    expect(f.smtp.received).toHaveLength(before);
    const log = await logOf(f, nb.id);
    expect(log.at(-1)).toMatchObject({ outcome: 'dropped', what: 'dashboard' });
  }, 180_000);
});

describe('a webhook channel', () => {
  it('receives the summary, the numbers and the link as Slack-shaped JSON; the URL is stored sealed', async () => {
    const { ann, nb, slug } = await salesDashboard(f);
    const sub = await subscribeWebhook(f.t.db, f.box, ann.id, nb.id, { cadence: 'refresh', url: hooks.url });
    expect(sub.who).toBe(new URL(hooks.url).host);
    const [row] = await f.t.db.query<{ webhook_sealed: string }>(
      'select webhook_sealed from subscriptions where id = $1',
      [sub.id]
    );
    expect(row!.webhook_sealed).not.toContain('secret');

    await refreshPublication(f.t.db, f.deps(), nb.id, { scheduled: true });
    await f.drain();
    const post = hooks.posts.at(-1)!;
    expect(post.path).toBe('/services/T000/B000/secret');
    expect(post.contentType).toBe('application/json');
    const text = (post.body as { text: string }).text;
    expect(text).toMatch(/^\*Sales board\* — data as of /);
    expect(text).toContain('• revenue: 42');
    expect(text).toContain(`<${ORIGIN}/d/${slug}|Open the dashboard>`);
    expect((await deliveryLog(f.t.db, ann.id, nb.id))[0]).toMatchObject({
      outcome: 'sent',
      recipient: `webhook ${sub.who}`
    });
  }, 180_000);

  it('posts the alerts an editor sends to it, until the channel is removed; viewers cannot send them', async () => {
    const { ann, nb } = await salesDashboard(f);
    const vic = await person(f.t.db, 'Viewer Vic');
    await join(f.t.db, ann, vic, 'viewer');
    // Weekly: the channel's own deliveries are not what this test counts.
    const channel = await subscribeWebhook(f.t.db, f.box, ann.id, nb.id, {
      cadence: 'weekly',
      time: '09:00',
      weekday: 1,
      timeZone: 'UTC',
      url: hooks.url
    });
    const alertOn = (who: { id: typeof ann.id }, value: number, channels: string[]) =>
      createAlert(f.t.db, f.dataDir, who.id, nb.id, {
        rule: 'threshold',
        cell: 'grand',
        column: 'revenue',
        op: '>',
        value,
        channels
      });
    await expect(alertOn(vic, 10, [channel.id])).rejects.toThrow(
      'Only editors can post alerts to chat channels.'
    );
    await expect(alertOn(ann, 10, ['aaaaaaaaaaaaaaaa'])).rejects.toThrow('is not one of this dashboard’s');
    const alert = await alertOn(ann, 10, [channel.id]);
    expect(alert.channels).toEqual([channel.who]);
    // Where alerts are posted is for editors to see, like the channels themselves.
    expect((await listAlerts(f.t.db, vic.id, nb.id))[0]!.channels).toEqual([]);
    // Its posting is shown on the alert, not as another channel.
    const webhooks = (await listSubscriptions(f.t.db, ann.id, nb.id)).filter((s) => s.channel === 'webhook');
    expect(webhooks.map((s) => s.id)).toEqual([channel.id]);

    const before = hooks.posts.length;
    await refreshPublication(f.t.db, f.deps(), nb.id);
    await f.drain();
    const posted = hooks.posts.slice(before).map((p) => (p.body as { text: string }).text);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toContain('Alert on Sales board: grand.revenue &gt; 10 (now 42'); // Slack's escaping
    expect(hooks.posts.at(-1)!.path).toBe('/services/T000/B000/secret');

    // Removing the channel removes its alert posting with it.
    await removeSubscription(f.t.db, ann.id, nb.id, channel.id);
    expect((await listAlerts(f.t.db, ann.id, nb.id))[0]!.channels).toEqual([]);
  }, 180_000);

  it('refuses URLs that are not https (unless allowed) or not URLs at all, and local hosts when sending', async () => {
    const { ann, nb } = await salesDashboard(f);
    const add = (url: string) => subscribeWebhook(f.t.db, f.box, ann.id, nb.id, { cadence: 'refresh', url });
    await expect(add('not a url')).rejects.toThrow('Enter the webhook’s full URL');
    await expect(add('http://example.com/hook')).rejects.toThrow('Webhooks must use https://');
    await expect(add('ftp://example.com/hook')).rejects.toThrow('Webhooks must be https:// URLs.');
    await expect(add('https://user:pw@example.com/hook')).rejects.toThrow('user name or password');
    // https to this machine passes the form but is refused when sending (not in the worker's allow list here).
    await add('https://localhost:1/hook');
    await refreshPublication(f.t.db, f.deps(), nb.id, { scheduled: true });
    const allow = f.worker.allowHosts;
    f.worker.allowHosts = [];
    try {
      await f.drain();
    } finally {
      f.worker.allowHosts = allow;
    }
    const log = await logOf(f, nb.id);
    expect(log.at(-1)).toMatchObject({ outcome: 'failed', recipient: 'webhook localhost:1' });
    expect(log.at(-1)!.reason).toContain('does not connect to localhost');
  }, 180_000);
});

describe('when the mail server is down', () => {
  it('retries with backoff and logs each attempt, loses nothing, and sends once it is back', async () => {
    const { ann, nb } = await salesDashboard(f);
    await subscribeByEmail(f.t.db, ann.id, nb.id, { cadence: 'refresh' });
    const before = f.smtp.received.length;
    await f.smtp.stop();
    await refreshPublication(f.t.db, f.deps(), nb.id, { scheduled: true });
    // A minute's backoff, doubling; the sender's clock is moved on rather than waited for.
    const worker = { ...f.worker, retryBaseMs: 60_000 };
    const at = (s: number) => new Date(Date.now() + s * 1000);
    const outbox = async () =>
      (
        await f.t.db.query<{ status: string; attempts: number; next: Date }>(
          'select status, attempts, next_attempt_at as next from delivery_outbox where notebook_id = $1',
          [nb.id]
        )
      )[0]!;
    expect(await deliverDue(worker, at(1))).toBe(1);
    const first = await outbox();
    expect(first).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await deliverDue(worker, at(30))).toBe(0); // not yet due
    expect(await deliverDue(worker, at(90))).toBe(1);
    const second = await outbox();
    expect(second).toMatchObject({ status: 'pending', attempts: 2 });
    // The second wait is twice the first.
    expect(new Date(second.next).getTime() - at(90).getTime()).toBeGreaterThan(110_000);
    let log = await logOf(f, nb.id);
    expect(log.map((l) => l.outcome)).toEqual(['retried', 'retried']);
    expect(log[0]!.reason).toMatch(/The mail server did not take it: .*ECONNREFUSED/);

    await f.smtp.start();
    expect(await deliverDue(worker, at(400))).toBe(1);
    await f.smtp.waitFor(before + 1);
    expect(await outbox()).toMatchObject({ status: 'sent', attempts: 3 });
    log = await logOf(f, nb.id);
    expect(log.at(-1)).toMatchObject({ outcome: 'sent', recipient: ann.email });
    expect(f.smtp.received.at(-1)!.to).toEqual([ann.email]);
  }, 180_000);
});
