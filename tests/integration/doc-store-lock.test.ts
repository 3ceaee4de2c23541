// Appends and compaction of one notebook's log exclude each other (doc-store.ts): with several servers, a
// compaction must never fold past a seq whose append has not committed yet. Needs PostgreSQL: the appends and the
// compaction run on separate connections, as on separate servers.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendUpdates, loadDoc } from '../../server/collab/doc-store';
import { openPostgres } from '../../server/db/postgres';
import type { Db } from '../../server/db/types';
import { createNotebook } from '../../server/notebooks/notebooks';
import { person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';

const url = process.env.TEST_DATABASE_URL;
if (!url) throw new Error('doc-store-lock needs TEST_DATABASE_URL (run it with npm test)');

let t: TestDb;
let other: Db; // a second pool on the same schema: "another server"
beforeAll(async () => {
  t = await freshDb();
  other = await openPostgres(url, t.schema);
});
afterAll(async () => {
  await other.close();
  await t.cleanup();
});

function textUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

it('an append waits while a compaction holds the notebook, and is kept after it', async () => {
  const owner = await person(t.db, 'Owner');
  const nb = await createNotebook(t.db, owner.id, owner.workspaceId, { title: 'Locks' });
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let holding!: () => void;
  const held = new Promise<void>((r) => (holding = r));
  // What compactDoc takes, held until we let go.
  const compaction = other.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [nb.id]);
    holding();
    await released;
  });
  await held;
  let appended = false;
  const append = appendUpdates(t.db, nb.id, [textUpdate('kept')]).then(() => (appended = true));
  // Observed, not timed: the append's statement shows up waiting for the advisory lock.
  for (;;) {
    const waiting = await other.query(
      `select 1 from pg_stat_activity
        where wait_event_type = 'Lock' and wait_event = 'advisory' and query like '%insert into doc_updates%'`
    );
    if (waiting.length > 0) break;
    expect(appended).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(appended).toBe(false);
  release();
  await compaction;
  await append;
  const doc = await loadDoc(t.db, nb.id);
  expect(doc.getText('t').toString()).toBe('kept');
  doc.destroy();
});
