// Claiming a due scheduled refresh in the real database: the claim moves the next time on by the schedule's
// span from the claim (server/publish/next-run.ts), so a second server, or a restart after a crash, does not run
// it again at once; dashboards not due or not scheduled are left alone. The publication rows are written directly:
// what a refresh builds does not matter here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotebook } from '../../server/notebooks/notebooks';
import { claimDue } from '../../server/publish/schedule';
import { person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
}, 60_000);
afterAll(async () => {
  await t?.cleanup();
});

async function published(schedule: 'off' | 'hourly' | 'daily', nextRefreshAt: string | null) {
  const ann = await person(t.db);
  const nb = await createNotebook(t.db, ann.id, ann.workspaceId, {});
  await t.db.query(
    `insert into publications (notebook_id, slug, visibility, schedule, published_by, doc_state, next_refresh_at)
     values ($1, $2, 'public', $3, $4, $5, $6)`,
    [nb.id, crypto.randomUUID(), schedule, ann.id, Buffer.from([0]), nextRefreshAt]
  );
  return nb.id;
}

async function nextOf(notebookId: string) {
  const [row] = await t.db.query<{ next: Date | null }>(
    'select next_refresh_at as next from publications where notebook_id = $1',
    [notebookId]
  );
  return row?.next ? new Date(row.next).toISOString() : null;
}

describe('claimDue', () => {
  const now = new Date('2024-05-10T23:30:00.123Z');

  it('moves a due hourly refresh an hour past the claim, into the next day', async () => {
    const id = await published('hourly', '2024-05-10T22:00:00Z');
    expect(await claimDue(t.db, id, now)).toBe(true);
    expect(await nextOf(id)).toBe('2024-05-11T00:30:00.123Z');
  });

  it('moves a due daily refresh 24 hours past the claim', async () => {
    const id = await published('daily', '2024-05-10T23:30:00.123Z');
    expect(await claimDue(t.db, id, now)).toBe(true);
    expect(await nextOf(id)).toBe('2024-05-11T23:30:00.123Z');
  });

  it('is won once: a second claim at the same time finds it no longer due', async () => {
    const id = await published('hourly', '2024-05-10T23:00:00Z');
    expect(await claimDue(t.db, id, now)).toBe(true);
    expect(await claimDue(t.db, id, now)).toBe(false);
    expect(await nextOf(id)).toBe('2024-05-11T00:30:00.123Z');
  });

  it('leaves refreshes that are not due, and dashboards without a schedule, alone', async () => {
    const later = await published('daily', '2024-05-11T00:00:00Z');
    const off = await published('off', '2024-05-10T00:00:00Z');
    expect(await claimDue(t.db, later, now)).toBe(false);
    expect(await claimDue(t.db, off, now)).toBe(false);
    expect(await nextOf(later)).toBe('2024-05-11T00:00:00.000Z');
    expect(await nextOf(off)).toBe('2024-05-10T00:00:00.000Z');
  });
});
