// The sender inside the real server process (`npm start`'s server/index.ts over the built app): with the SMTP
// server down, a queued message is retried and logged while the process keeps answering; once SMTP is up it is
// sent; the unsubscribe route answers without a session; and the process stops cleanly on SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/types';
import { enqueue } from '../../server/deliveries/outbox';
import { createNotebook } from '../../server/notebooks/notebooks';
import type { AppProcess } from './helpers/app-process';
import { startAppWithDb } from './helpers/app-with-db';
import { freePort } from './helpers/free-port';
import { person, verifyEmail } from './helpers/people';
import { smtpSink, type SmtpSink } from './helpers/smtp-sink';

let app: AppProcess;
let db: Db;
let stop: (() => Promise<void>) | undefined;
let smtp: SmtpSink | null = null;
let smtpPort: number;

beforeAll(async () => {
  smtpPort = await freePort(); // nothing listens there yet: the mail server is down
  ({ app, db, stop } = await startAppWithDb('d', {
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    MAIL_FROM: 'sheaf@example.test',
    DELIVERY_RETRY_SECONDS: '1'
  }));
}, 300_000);
afterAll(async () => {
  await stop?.();
  await smtp?.stop();
});

const log = () =>
  db.query<{ outcome: string; reason: string | null }>(
    'select outcome, reason from delivery_log order by id'
  );
async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`gave up waiting: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the sender in the server process', () => {
  it('answers strangers at the verification routes clearly, and mails nothing for them', async () => {
    const eve = await person(db, 'Stranger Eve');
    const ask = (headers: Record<string, string>) =>
      fetch(`${app.base}/api/email-verification`, { method: 'POST', headers });
    // Logged out: refused in words.
    const anon = await ask({ origin: app.base });
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ error: { message: 'Log in to verify your address.' } });
    // Another site posting a form with her cookie: refused before anything is queued.
    const forged = await ask({
      origin: 'https://evil.example',
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `sheaf_session=${eve.token}`
    });
    expect(forged.status).toBe(403);
    // Links that are not ours, however long or odd: a page that says so, and nobody verified.
    for (const token of ['not-a-token', 'a'.repeat(4000), `${eve.id}.zz.${'A'.repeat(43)}`]) {
      const page = await fetch(`${app.base}/verify-email/${token}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('This verification link is not valid');
    }
    // A path that is not even UTF-8 is refused by the router itself.
    expect((await fetch(`${app.base}/verify-email/%ff`)).status).toBe(400);
    const [row] = await db.query<{ verified: boolean; queued: number }>(
      `select u.email_verified_at is not null as verified,
              (select count(*)::int from delivery_outbox o where o.user_id = u.id) as queued
         from users u where u.id = $1`,
      [eve.id]
    );
    expect(row).toEqual({ verified: false, queued: 0 });
    await app.alive();
  }, 120_000);

  it('retries while SMTP is down, stays up, sends once it is back, and stops cleanly', async () => {
    const ann = await person(db, 'Server Ann');
    await verifyEmail(db, ann);
    const nb = await createNotebook(db, ann.id, ann.workspaceId, { title: 'Ops' });
    await enqueue(db, [{ notebookId: nb.id, userId: ann.id, content: { type: 'refresh-recovered' } }]);

    const failed = await until(log, (l) => l.length >= 1);
    expect(failed[0]).toMatchObject({ outcome: 'retried' });
    expect(failed[0]!.reason).toMatch(/ECONNREFUSED/);
    await app.alive();

    smtp = await smtpSink(smtpPort);
    await smtp.waitFor(1, 120_000);
    expect(smtp.received[0]!.to).toEqual([ann.email]);
    expect(smtp.received[0]!.mail.headers.get('subject')).toBe('The scheduled refresh of Ops works again.');
    const done = await until(log, (l) => l.at(-1)?.outcome === 'sent');
    expect(done.slice(0, -1).every((l) => l.outcome === 'retried')).toBe(true);
    await app.alive();

    const res = await fetch(`${app.base}/unsubscribe/not-a-token`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('This unsubscribe link is not valid.');

    await app.stop();
    expect(app.output()).toContain('SIGTERM: shutting down');
    expect(app.output()).not.toMatch(/deliveries: (stopping failed|could not claim)/);
  }, 300_000);
});
