// Durable notebook documents: an append-only log of Yjs updates plus a snapshot they are compacted into.
import * as Y from 'yjs';
import type { Queryable, Db } from '../db/types';
import type { NotebookId } from '../ids';

type Bytes = Uint8Array;
// postgres.js sends Buffers as bytea; PGlite takes any Uint8Array. Buffer satisfies both.
const asParam = (u: Bytes) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export async function appendUpdates(db: Queryable, notebookId: NotebookId, updates: Bytes[]): Promise<void> {
  if (updates.length === 0) return;
  const values = updates.map((_, i) => `($1, $${i + 2})`).join(', ');
  await db.query(`insert into doc_updates (notebook_id, update) values ${values}`, [
    notebookId,
    ...updates.map(asParam)
  ]);
}

async function readState(db: Queryable, notebookId: NotebookId) {
  const snap = await db.query<{ state: Bytes; upto_seq: unknown }>(
    'select state, upto_seq from doc_snapshots where notebook_id = $1',
    [notebookId]
  );
  const upto = snap[0] ? Number(snap[0].upto_seq) : 0;
  const tail = await db.query<{ seq: unknown; update: Bytes }>(
    'select seq, update from doc_updates where notebook_id = $1 and seq > $2 order by seq',
    [notebookId, upto]
  );
  return {
    snapshot: snap[0] ? new Uint8Array(snap[0].state) : null,
    tail: tail.map((r) => new Uint8Array(r.update)),
    lastSeq: tail.length ? Number(tail[tail.length - 1]!.seq) : upto,
    hadSnapshot: !!snap[0]
  };
}

/** Snapshot plus log into one document. The server refuses updates that do not apply, but a log written by an
 * older version may hold one: it is skipped (and reported) rather than making the notebook impossible to open. */
function rebuild(notebookId: NotebookId, s: { snapshot: Bytes | null; tail: Bytes[] }): Y.Doc {
  const doc = new Y.Doc();
  if (s.snapshot) Y.applyUpdate(doc, s.snapshot);
  s.tail.forEach((u, i) => {
    try {
      Y.applyUpdate(doc, u);
    } catch (e) {
      console.error(`collab: skipped stored update ${i + 1} of notebook ${notebookId}: it does not apply`, e);
    }
  });
  return doc;
}

/** The document as stored: snapshot plus every update appended after it. */
export async function loadDoc(db: Queryable, notebookId: NotebookId): Promise<Y.Doc> {
  return rebuild(notebookId, await readState(db, notebookId));
}

/** Folds the log into the snapshot. Safe to run concurrently with appends and with other compactions. */
export async function compactDoc(db: Db, notebookId: NotebookId): Promise<{ folded: number }> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [notebookId]);
    const s = await readState(tx, notebookId);
    if (s.tail.length === 0) return { folded: 0 };
    const doc = rebuild(notebookId, s);
    const state = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    await tx.query(
      `insert into doc_snapshots (notebook_id, state, upto_seq) values ($1, $2, $3)
       on conflict (notebook_id) do update set state = excluded.state, upto_seq = excluded.upto_seq, updated_at = now()`,
      [notebookId, asParam(state), s.lastSeq]
    );
    await tx.query('delete from doc_updates where notebook_id = $1 and seq <= $2', [notebookId, s.lastSeq]);
    return { folded: s.tail.length };
  });
}
