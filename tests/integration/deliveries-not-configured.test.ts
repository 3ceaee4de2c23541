// Without SMTP_URL and MAIL_FROM the deliveries panel and the mention-mail setting say mail is not configured (the
// e2e server always has a mail server, tests/smtp), and say it is once both are set: read from the environment on
// each request, as the server does.
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationSettings } from '../../server/deliveries/notification-settings';
import { deliveriesPanel } from '../../server/deliveries/panel';
import { createNotebook } from '../../server/notebooks/notebooks';
import { person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
const saved = { smtp: process.env.SMTP_URL, from: process.env.MAIL_FROM };
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  process.env.SMTP_URL = saved.smtp;
  process.env.MAIL_FROM = saved.from;
  if (saved.smtp === undefined) delete process.env.SMTP_URL;
  if (saved.from === undefined) delete process.env.MAIL_FROM;
  await t?.cleanup();
});

describe('mail not configured', () => {
  it('is what the panel and the setting say until both SMTP_URL and MAIL_FROM are set', async () => {
    const ann = await person(t.db);
    const nb = await createNotebook(t.db, ann.id, ann.workspaceId, {});
    delete process.env.SMTP_URL;
    delete process.env.MAIL_FROM;
    expect((await deliveriesPanel(t.db, tmpdir(), ann.id, nb.id)).mailConfigured).toBe(false);
    expect((await notificationSettings(t.db, ann.id)).mailConfigured).toBe(false);
    process.env.SMTP_URL = 'smtp://127.0.0.1:1';
    expect((await deliveriesPanel(t.db, tmpdir(), ann.id, nb.id)).mailConfigured).toBe(false); // no From address yet
    process.env.MAIL_FROM = 'Sheaf <sheaf@example.test>';
    expect((await deliveriesPanel(t.db, tmpdir(), ann.id, nb.id)).mailConfigured).toBe(true);
    expect((await notificationSettings(t.db, ann.id)).mailConfigured).toBe(true);
  });
});
