// The outbox shared by several servers (two connections on one PostgreSQL): claims made at once never share a
// row, a claimed row stays claimed for its lease (a server that died mid-send leaves it to be tried again after),
// and daily subscriptions are queued once when due, by whichever server gets there first; weekly ones come on their
// weekday in the subscriber's zone, and then a week later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../server/db/postgres';
import type { Db } from '../../server/db/types';
import { claimDue, enqueue, finish, LEASE_MS } from '../../server/deliveries/outbox';
import { queueDueSubscriptions } from '../../server/deliveries/subscription-schedule';
import { subscribeByEmail } from '../../server/deliveries/subscriptions';
import { createNotebook } from '../../server/notebooks/notebooks';
import { person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
let other: Db;
beforeAll(async () => {
  t = await freshDb();
  const url = process.env.TEST_DATABASE_URL;
  // Without PostgreSQL (PGlite, one connection) there is no second server to race.
  other = url && t.schema ? await openPostgres(url, t.schema) : t.db;
  process.env.SMTP_URL ??= 'smtp://127.0.0.1:1';
  process.env.MAIL_FROM ??= 'sheaf@example.test';
}, 60_000);
afterAll(async () => {
  if (other !== t?.db) await other?.close();
  await t?.cleanup();
});

describe('the outbox with two servers', () => {
  it('hands each row to one claimer, and again only after its lease ran out', async () => {
    const ann = await person(t.db);
    const nb = await createNotebook(t.db, ann.id, ann.workspaceId, {});
    await enqueue(
      t.db,
      Array.from({ length: 30 }, () => ({
        notebookId: nb.id,
        userId: ann.id,
        content: { type: 'refresh-recovered' as const }
      }))
    );
    const now = new Date();
    const claims = await Promise.all([
      ...Array.from({ length: 3 }, () => claimDue(t.db, 8, now)),
      ...Array.from({ length: 3 }, () => claimDue(other, 8, now))
    ]);
    const ids = claims.flat().map((r) => r.id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(await claimDue(other, 50, new Date(now.getTime() + LEASE_MS - 1000))).toHaveLength(0);
    const again = await claimDue(other, 50, new Date(now.getTime() + LEASE_MS + 1000));
    expect(again).toHaveLength(30);
    expect(again.every((r) => r.attempts === 2)).toBe(true);

    // A row deleted while it was being sent (its subscription removed): the attempt is still logged.
    await t.db.query('delete from delivery_outbox where id = $1::bigint', [again[0]!.id]);
    await finish(
      t.db,
      again[0]!,
      { kind: 'sent' },
      { recipient: ann.email, what: 'refresh recovered' },
      { retryBaseMs: 1 }
    );
    const logged = await t.db.query<{ outbox_id: string | null }>(
      'select outbox_id from delivery_log where notebook_id = $1',
      [nb.id]
    );
    expect(logged).toEqual([{ outbox_id: null }]);
  });
});

/** A notebook with a publication row (subscriptions need one; nothing here reads its snapshot). */
async function publishedNotebook() {
  const ann = await person(t.db);
  const nb = await createNotebook(t.db, ann.id, ann.workspaceId, {});
  await t.db.query(
    `insert into publications (notebook_id, slug, visibility, published_by, doc_state) values ($1, $2, 'members', $3, $4)`,
    [nb.id, crypto.randomUUID(), ann.id, Buffer.from([0])]
  );
  return { ann, nb };
}

describe('daily subscriptions', () => {
  it('are queued once when due, then moved to the next day', async () => {
    const { ann, nb } = await publishedNotebook();
    const sub = await subscribeByEmail(t.db, ann.id, nb.id, {
      cadence: 'daily',
      time: '08:00',
      timeZone: 'UTC'
    });
    const [{ next_at }] = (await t.db.query<{ next_at: Date }>(
      'select next_at from subscriptions where id = $1',
      [sub.id]
    )) as [{ next_at: Date }];
    expect(new Date(next_at).toISOString()).toMatch(/T08:00:00\.000Z$/);
    const due = new Date(new Date(next_at).getTime() + 1000);
    const queued = await Promise.all([queueDueSubscriptions(t.db, due), queueDueSubscriptions(other, due)]);
    expect(queued[0] + queued[1]).toBe(1);
    expect(await queueDueSubscriptions(t.db, due)).toBe(0);
    const [{ n }] = (await t.db.query<{ n: number }>(
      'select count(*)::int as n from delivery_outbox where subscription_id = $1',
      [sub.id]
    )) as [{ n: number }];
    expect(n).toBe(1);
    const [{ next }] = (await t.db.query<{ next: Date }>(
      'select next_at as next from subscriptions where id = $1',
      [sub.id]
    )) as [{ next: Date }];
    expect(new Date(next).getTime() - new Date(next_at).getTime()).toBe(86_400_000);
  });

  it('weekly ones come on their weekday in the subscriber’s zone, once, then a week later', async () => {
    const { ann, nb } = await publishedNotebook();
    // Wednesdays at 00:30 in Tokyo: Tuesdays at 15:30 UTC.
    const sub = await subscribeByEmail(t.db, ann.id, nb.id, {
      cadence: 'weekly',
      weekday: 3,
      time: '00:30',
      timeZone: 'Asia/Tokyo'
    });
    expect(sub).toMatchObject({ cadence: 'weekly', weekday: 3, minuteOfDay: 30, timeZone: 'Asia/Tokyo' });
    const nextOf = async () =>
      new Date(
        (
          (await t.db.query<{ next_at: Date }>('select next_at from subscriptions where id = $1', [
            sub.id
          ])) as [{ next_at: Date }]
        )[0].next_at
      );
    const first = await nextOf();
    expect(first.getUTCDay()).toBe(2);
    expect(first.toISOString()).toMatch(/T15:30:00\.000Z$/);
    // Counted for this subscription alone: the test above's may fall due in the same window.
    const queued = async () =>
      (
        (await t.db.query<{ n: number }>(
          'select count(*)::int as n from delivery_outbox where subscription_id = $1',
          [sub.id]
        )) as [{ n: number }]
      )[0].n;
    await queueDueSubscriptions(t.db, new Date(first.getTime() - 1000));
    expect(await queued()).toBe(0);
    const due = new Date(first.getTime() + 1000);
    await Promise.all([queueDueSubscriptions(t.db, due), queueDueSubscriptions(other, due)]);
    expect(await queued()).toBe(1);
    expect((await nextOf()).getTime() - first.getTime()).toBe(7 * 86_400_000);
  });
});
