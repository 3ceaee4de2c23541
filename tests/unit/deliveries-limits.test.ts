// What keeps outgoing messages bounded and where webhooks may go, checked when sending: a mail past MAIL_MAX_BYTES
// leaves its cards to the link, a chat message carries at most ten numbers in at most 3,500 characters, a webhook
// body past WEBHOOK_MAX_BYTES is not sent, and a webhook whose host is (or resolves to) loopback or link-local is
// refused for good unless allowed, before any connection.
import { describe, expect, it } from 'vitest';
import type { PublishedDashboard, PublishedItem } from '../../cells/published';
import { dashboardMail, MAIL_MAX_BYTES, webhookText } from '../../server/deliveries/compose';
import { postWebhook, SendFailed, WEBHOOK_MAX_BYTES } from '../../server/deliveries/webhook-post';

const box = { x: 0, w: 6, h: 2 };
const number = (i: number): PublishedItem => ({
  ...box,
  y: i * 2,
  cellId: `n${i}`,
  view: 'number',
  name: `kpi_${i}`,
  sql: null,
  label: `metric_${i}`,
  value: (i * 1000).toLocaleString('en-US'),
  caption: ''
});
const board = (items: PublishedItem[]): PublishedDashboard => ({
  title: 'Board',
  description: '',
  items,
  builtAt: '2026-11-30T08:00:00.000Z'
});

describe('message sizes', () => {
  it('a mail past the limit keeps the link and leaves the cards to it', async () => {
    const huge: PublishedItem = {
      ...box,
      y: 0,
      cellId: 't',
      view: 'text',
      name: '',
      html: 'x'.repeat(MAIL_MAX_BYTES)
    };
    const small = await dashboardMail(board([huge, number(1)]), 'https://sheaf.test/d/abc', null);
    expect(small.html.length).toBeLessThan(100_000);
    expect(small.html).toContain('href="https://sheaf.test/d/abc"');
    expect(small.html).not.toContain('xxxx');
    const fits = await dashboardMail(
      board([{ ...huge, html: 'x'.repeat(1000) }]),
      'https://sheaf.test/d/abc',
      null
    );
    expect(fits.html).toContain('x'.repeat(1000));
  });

  it('a chat message holds at most ten numbers and 3,500 characters', () => {
    const text = webhookText(
      'Board',
      'https://sheaf.test/d/abc',
      { type: 'dashboard' },
      board(Array.from({ length: 15 }, (_, i) => number(i)))
    );
    expect(text.split('\n').filter((l) => l.startsWith('• '))).toHaveLength(10);
    const long = webhookText('B'.repeat(10_000), 'https://sheaf.test/d/abc', { type: 'dashboard' }, null);
    expect(long.length).toBe(3500);
  });

  it('a webhook body past the limit is not sent, nor tried again', async () => {
    const e = await postWebhook('https://hooks.example/x', { text: 'y'.repeat(WEBHOOK_MAX_BYTES) }, []).catch(
      (x: unknown) => x
    );
    expect(e).toBeInstanceOf(SendFailed);
    expect(e).toMatchObject({ message: 'The message is too large for a webhook.', retry: false });
  });
});

describe('webhooks to this machine or link-local addresses, when sending', () => {
  const refused = (url: string, allow: string[] = []) =>
    postWebhook(url, { text: 'hi' }, allow).then(
      () => null,
      (e: unknown) => e
    );
  it('are refused for good in any spelling, and for names that resolve there', async () => {
    for (const [url, shown] of [
      ['https://169.254.169.254/latest', '169.254.169.254'],
      ['https://[::ffff:a9fe:a9fe]/x', '169.254.169.254'],
      ['https://0x7f000001/x', '127.0.0.1'],
      ['https://[::1]:8443/x', '::1'],
      ['https://localhost:8443/x', 'localhost'] // a name, resolved by DNS to loopback
    ]) {
      const e = await refused(url!);
      expect(e, url).toBeInstanceOf(SendFailed);
      expect((e as SendFailed).retry, url).toBe(false);
      expect((e as SendFailed).message, url).toMatch(/^This server does not connect to /);
      expect((e as SendFailed).message, url).toContain(shown);
    }
  });
  it('go where the allow list says, over plain http too', async () => {
    // Allowed: the request is made (nothing listens on port 1, so it fails to connect, and may be tried again).
    const e = await refused('http://127.0.0.1:1/hook', ['127.0.0.1']);
    expect(e).toBeInstanceOf(SendFailed);
    expect(e).toMatchObject({ retry: true });
    expect((e as SendFailed).message).toMatch(/^Could not reach the webhook: .*ECONNREFUSED/);
  });
});
