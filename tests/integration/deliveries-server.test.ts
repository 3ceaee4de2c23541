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
