// Mail reaches only addresses their owners verified: a subscriber who signed up with an address nobody proved gets
// nothing (the log says why), asks for a link, receives it over real SMTP, opens it, and the next delivery arrives.
// Links are bound to the person, the address, the key and an expiry; asking is limited per hour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  confirmEmail,
  LINK_HOURS,
  REQUESTS_PER_HOUR,
  requestVerification,
  verificationToken
} from '../../server/deliveries/email-verification';
import { enqueue } from '../../server/deliveries/outbox';
import { notificationSettings } from '../../server/deliveries/notification-settings';
import { deliveriesPanel } from '../../server/deliveries/panel';
import { subscribeByEmail } from '../../server/deliveries/subscriptions';
import { refreshPublication } from '../../server/publish/publications';
import {
  deliveryFixture,
  logOf,
  ORIGIN,
  salesDashboard,
  type DeliveryFixture
} from './helpers/delivery-fixture';
import { bodyText } from './helpers/mime';
import { join, person } from './helpers/people';

let f: DeliveryFixture;
beforeAll(async () => {
  f = await deliveryFixture();
}, 120_000);
afterAll(async () => {
  await f?.cleanup();
});

describe('email verification', () => {
  it('holds back mail to an unverified subscriber until they open the link mailed to them', async () => {
    const { ann, nb } = await salesDashboard(f);
    const bob = await person(f.t.db, 'Unproven Bob');
    await join(f.t.db, ann, bob, 'viewer');
    await subscribeByEmail(f.t.db, bob.id, nb.id, { cadence: 'refresh' });
    expect((await deliveriesPanel(f.t.db, f.dataDir, bob.id, nb.id)).emailVerified).toBe(false);
    expect((await notificationSettings(f.t.db, bob.id)).emailVerified).toBe(false);

    const before = f.smtp.received.length;
    await refreshPublication(f.t.db, f.deps(), nb.id, { scheduled: true });
    // A notice to him alone (as editors get when a refresh fails) is held back the same way.
    await enqueue(f.t.db, [
      { notebookId: nb.id, userId: bob.id, content: { type: 'refresh-failed', message: 'boom' } }
    ]);
    await f.drain();
    expect(f.smtp.received.length).toBe(before);
    const dropped = {
      outcome: 'dropped',
      recipient: bob.email,
      reason: expect.stringMatching(/not verified/)
    };
    expect(await logOf(f, nb.id)).toEqual([
      expect.objectContaining({ ...dropped, what: 'dashboard' }),
      expect.objectContaining({ ...dropped, what: 'refresh failed' })
    ]);

    // He asks; the link comes by mail, to him alone.
    expect(await requestVerification(f.t.db, bob.id)).toEqual({ sent: true });
    await f.drain();
    const [mail] = (await f.smtp.waitFor(before + 1)).slice(before);
    expect(mail!.to).toEqual([bob.email]);
    expect(mail!.mail.headers.get('subject')).toBe('Verify your email address for Sheaf');
    const link = new RegExp(`${ORIGIN}/verify-email/(\\S+)`).exec(bodyText(mail!.mail, 'text/plain'));
    expect(link).not.toBeNull();

    expect(await confirmEmail(f.t.db, link![1]!, f.unsubscribeKey)).toEqual({ email: bob.email });
    expect((await deliveriesPanel(f.t.db, f.dataDir, bob.id, nb.id)).emailVerified).toBe(true);
    // Verified: asking again sends nothing, and the next refresh reaches him.
    expect(await requestVerification(f.t.db, bob.id)).toEqual({ sent: false });
    await refreshPublication(f.t.db, f.deps(), nb.id, { scheduled: true });
    await f.drain();
    const [dashboard] = (await f.smtp.waitFor(before + 2)).slice(before + 1);
    expect(dashboard!.to).toEqual([bob.email]);
    expect(dashboard!.mail.headers.get('subject')).toBe('Sales board');
  });

  it('refuses links that were altered, made for someone else, signed with another key, or expired', async () => {
    const key = f.unsubscribeKey;
    const cy = await person(f.t.db, 'Careful Cy');
    const dee = await person(f.t.db, 'Other Dee');
    const later = new Date(Date.now() + LINK_HOURS * 3600_000);
    const good = verificationToken(cy.id, cy.email, later, key);
    const [id, x, mac] = good.split('.') as [string, string, string];
    const notValid = /not valid/;
    // Altered signature, another person's id with Cy's signature, Dee's id with Cy's address signed, another key.
    await expect(
      confirmEmail(f.t.db, `${id}.${x}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`, key)
    ).rejects.toThrow(notValid);
    await expect(confirmEmail(f.t.db, `${dee.id}.${x}.${mac}`, key)).rejects.toThrow(notValid);
    await expect(confirmEmail(f.t.db, verificationToken(dee.id, cy.email, later, key), key)).rejects.toThrow(
      notValid
    );
    await expect(confirmEmail(f.t.db, good, Buffer.alloc(32, 1))).rejects.toThrow(notValid);
    // A later expiry written into the link breaks its signature.
    await expect(
      confirmEmail(f.t.db, `${id}.${(parseInt(x, 36) + 1).toString(36)}.${mac}`, key)
    ).rejects.toThrow(notValid);
    await expect(confirmEmail(f.t.db, 'not-a-token', key)).rejects.toThrow(notValid);
    await expect(confirmEmail(f.t.db, good, key, new Date(later.getTime() + 1000))).rejects.toThrow(
      /expired/
    );
    expect((await notificationSettings(f.t.db, cy.id)).emailVerified).toBe(false);
    expect((await notificationSettings(f.t.db, dee.id)).emailVerified).toBe(false);

    await confirmEmail(f.t.db, good, key);
    expect((await notificationSettings(f.t.db, cy.id)).emailVerified).toBe(true);
    expect((await notificationSettings(f.t.db, dee.id)).emailVerified).toBe(false);
  });

  it(`sends at most ${REQUESTS_PER_HOUR} links an hour to one person`, async () => {
    const eve = await person(f.t.db, 'Impatient Eve');
    for (let i = 0; i < REQUESTS_PER_HOUR; i++) {
      expect(await requestVerification(f.t.db, eve.id)).toEqual({ sent: true });
    }
    await expect(requestVerification(f.t.db, eve.id)).rejects.toMatchObject({
      code: 'rate_limited',
      message: expect.stringMatching(/Several links were sent/)
    });
  });
});
