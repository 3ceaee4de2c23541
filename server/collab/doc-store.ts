// Durable notebook documents: an append-only log of Yjs updates plus a snapshot they are compacted into.
import * as Y from 'yjs';
import type { Queryable, Db } from '../db/types';
import type { NotebookId } from '../ids';

type Bytes = Uint8Array;
// postgres.js sends Buffers as bytea; PGlite takes any Uint8Array. Buffer satisfies both.
const asParam = (u: Bytes) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** Appends in one statement that first takes the notebook's lock in shared mode, held until it commits. Several
 * servers append to one notebook at once, and a seq is drawn before its row commits, so without it a compaction
 * could fold up to seq 11 while seq 10 is still uncommitted — and every later load (seq > upto_seq) would skip
 * 10. Compaction takes the same lock exclusively: it waits for appends that have a seq, and no append draws one
 * while it runs. The lock is taken before any seq is drawn because no row reaches the insert without the CTE's. */
export async function appendUpdates(
  db: Queryable,
  notebookId: NotebookId,
  updates: Bytes[]
): Promise<number[]> {
  return (await appendMany(db, [{ notebookId, updates }]))[0]!;
}

export type AppendPart = { notebookId: NotebookId; updates: Bytes[] };

/** appendUpdates for several notebooks in one statement (one commit): returns each part's seqs, in order. The
 * notebooks' shared locks are taken in one order (by key) in every statement, so two appends over overlapping
 * notebooks, each queued behind a different notebook's compaction, cannot wait for each other. */
export async function appendMany(db: Queryable, parts: AppendPart[]): Promise<number[][]> {
  const ids = [...new Set(parts.filter((p) => p.updates.length > 0).map((p) => p.notebookId))];
  if (ids.length === 0) return parts.map(() => []);
  const rowIds: string[] = [];
  const rowUpdates: string[] = [];
  for (const part of parts)
    for (const u of part.updates) {
      rowIds.push(part.notebookId);
      // As hex text: neither driver sends an array of byte strings as bytea[].
      rowUpdates.push(asParam(u).toString('hex'));
    }
  // One text for any number of notebooks and updates (arrays, not a list of values): PostgreSQL parses and plans
  // it once per connection, and postgres.js asks for its parameter types once, not before every append.
  const stored = await db.query<{ seq: unknown; notebook_id: string }>(
    `with lock as materialized (
       select count(pg_advisory_xact_lock_shared(k)) as n
         from (select distinct hashtext(id) as k from unnest($1::text[]) as ids(id) order by k) as keys
     )
     insert into doc_updates (notebook_id, update)
     select v.id, decode(v.u, 'hex') from lock, unnest($2::text[], $3::text[]) with ordinality as v(id, u, i)
      order by v.i
     returning seq, notebook_id`,
    [ids, rowIds, rowUpdates]
  );
  // Seqs are drawn in insertion order, so each notebook's come back ascending in its updates' order.
  const byNotebook = new Map<string, number[]>(ids.map((id) => [id, []]));
  for (const r of stored) byNotebook.get(r.notebook_id)!.push(Number(r.seq));
  for (const seqs of byNotebook.values()) seqs.sort((a, b) => a - b);
  return parts.map((p) => byNotebook.get(p.notebookId)!.splice(0, p.updates.length));
}

/** Snapshot and log in one statement, so in one database snapshot: read in two, a compaction committing between
 * them would move the snapshot past the log's rows that the second read then no longer finds. */
async function readState(db: Queryable, notebookId: NotebookId) {
  const rows = await db.query<{ part: number; seq: unknown; data: Bytes }>(
    `with s as (select state, upto_seq from doc_snapshots where notebook_id = $1)
     select 0 as part, s.upto_seq as seq, s.state as data from s
     union all
     select 1, u.seq, u.update from doc_updates u
      where u.notebook_id = $1 and u.seq > coalesce((select upto_seq from s), 0)
     order by part, seq`,
    [notebookId]
  );
  const snap = rows[0]?.part === 0 ? rows[0] : undefined;
  const tail = snap ? rows.slice(1) : rows;
  const upto = snap ? Number(snap.seq) : 0;
  return {
    snapshot: snap ? new Uint8Array(snap.data) : null,
    tail: tail.map((r) => new Uint8Array(r.data)),
    tailSeqs: tail.map((r) => Number(r.seq)),
    upto,
    lastSeq: tail.length ? Number(tail[tail.length - 1]!.seq) : upto,
    hadSnapshot: !!snap
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

/** Which part of the store a loaded document is known to hold: the snapshot folded up to `base`, and the log's
 * rows `seqs` after it (those it was loaded with plus those its room appended since). */
export type Coverage = { base: number; seqs: number[] };

/** The document as stored, and what of the store it holds. */
export async function loadCovered(
  db: Queryable,
  notebookId: NotebookId
): Promise<{ doc: Y.Doc; covered: Coverage }> {
  const s = await readState(db, notebookId);
  return { doc: rebuild(notebookId, s), covered: { base: s.upto, seqs: s.tailSeqs } };
}

async function replaceSnapshot(
  tx: Queryable,
  notebookId: NotebookId,
  state: Bytes,
  upto: number
): Promise<void> {
  await tx.query(
    `insert into doc_snapshots (notebook_id, state, upto_seq) values ($1, $2, $3)
     on conflict (notebook_id) do update set state = excluded.state, upto_seq = excluded.upto_seq, updated_at = now()`,
    [notebookId, asParam(state), upto]
  );
  await tx.query('delete from doc_updates where notebook_id = $1 and seq <= $2', [notebookId, upto]);
}

/** Folds the log into the snapshot by reading and rebuilding both. Safe to run concurrently with appends and with
 * other compactions. Returns the stored state (null when there is none) and the seq it is folded up to. */
export async function compactDoc(
  db: Db,
  notebookId: NotebookId
): Promise<{ folded: number; upto: number; state: Bytes | null }> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [notebookId]);
    const s = await readState(tx, notebookId);
    if (s.tail.length === 0) return { folded: 0, upto: s.upto, state: s.snapshot };
    const doc = rebuild(notebookId, s);
    const state = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    await replaceSnapshot(tx, notebookId, state, s.lastSeq);
    return { folded: s.tail.length, upto: s.lastSeq, state };
  });
}

/** Folds the log into the snapshot from a loaded document, without reading or rebuilding anything — when the
 * store holds nothing the document lacks: the snapshot is the one it was loaded with or last wrote (`base`), and
 * every row after it is one it holds. Counting the rows under the exclusive lock proves it (the rows it holds
 * are a subset of them). Null when that is not so (another writer's rows): use compactDoc. `covered` and `encode`
 * are called together, synchronously, so they describe the same moment of the document. */
export async function compactCovered(
  db: Db,
  notebookId: NotebookId,
  covered: () => Coverage,
  encode: () => Bytes
): Promise<{ folded: number; upto: number } | null> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [notebookId]);
    const [row] = await tx.query<{ upto: unknown; n: unknown; last: unknown }>(
      `with s as (select coalesce((select upto_seq from doc_snapshots where notebook_id = $1), 0) as upto)
       select s.upto, count(u.seq) as n, max(u.seq) as last
         from s left join doc_updates u on u.notebook_id = $1 and u.seq > s.upto
        group by s.upto`,
      [notebookId]
    );
    const upto = Number(row!.upto);
    const n = Number(row!.n);
    const c = covered();
    if (c.base !== upto || c.seqs.filter((seq) => seq > upto).length !== n) return null;
    if (n === 0) return { folded: 0, upto };
    const last = Number(row!.last);
    await replaceSnapshot(tx, notebookId, encode(), last);
    return { folded: n, upto: last };
  });
}
