// Versions of notebooks in the app database (doc_versions): each a self-contained Yjs state, so they do not depend
// on the update log, which compaction folds and garbage-collects.
import * as Y from 'yjs';
import { compareDocs, docFromState, type VersionSummary } from '../../cells/versions';
import { jsonValue } from '../db/json-value';
import type { Queryable } from '../db/types';
import type { NotebookId, UserId } from '../ids';

export const VERSION_KINDS = ['auto', 'named', 'publish', 'restore', 'assistant'] as const;
export type VersionKind = (typeof VERSION_KINDS)[number];
/** Kept forever; the other kinds are thinned with age. */
export const KEPT_KINDS: readonly VersionKind[] = ['named', 'publish'];

export type VersionMeta = {
  id: number;
  notebookId: NotebookId;
  kind: VersionKind;
  label: string | null;
  createdBy: UserId | null;
  createdAt: Date;
  editors: UserId[];
  summary: VersionSummary;
};

const asParam = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const bytes = (v: unknown) => new Uint8Array(v as Uint8Array);

type Row = {
  id: unknown;
  notebook_id: NotebookId;
  kind: VersionKind;
  label: string | null;
  created_by: UserId | null;
  created_at: Date | string;
  editors: unknown;
  summary: unknown;
};
const META = 'id, notebook_id, kind, label, created_by, created_at, editors, summary';

const metaOf = (r: Row): VersionMeta => ({
  id: Number(r.id),
  notebookId: r.notebook_id,
  kind: r.kind,
  label: r.label,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
  editors: jsonValue(r.editors) as UserId[],
  summary: jsonValue(r.summary) as VersionSummary
});

/** The newest version's state, or null. */
export async function latestState(db: Queryable, notebookId: NotebookId): Promise<Uint8Array | null> {
  const rows = await db.query<{ state: unknown }>(
    'select state from doc_versions where notebook_id = $1 order by id desc limit 1',
    [notebookId]
  );
  return rows[0] ? bytes(rows[0].state) : null;
}

/** How `doc` stands to the newest version: none yet, the same document, or changed (compared by state vector and
 * deleted ranges, so no state is read). */
export async function sinceLatest(
  db: Queryable,
  notebookId: NotebookId,
  doc: Y.Doc
): Promise<'none' | 'same' | 'changed'> {
  const rows = await db.query<{ snapshot: unknown }>(
    'select snapshot from doc_versions where notebook_id = $1 order by id desc limit 1',
    [notebookId]
  );
  if (!rows[0]) return 'none';
  return Y.equalSnapshots(Y.decodeSnapshot(bytes(rows[0].snapshot)), Y.snapshot(doc)) ? 'same' : 'changed';
}

/** Stores `doc` as it is now as a version; its summary compares it with the newest version before it. */
export async function insertVersion(
  db: Queryable,
  notebookId: NotebookId,
  doc: Y.Doc,
  v: { kind: VersionKind; label?: string | null; createdBy?: UserId | null; editors?: Iterable<UserId> }
): Promise<VersionMeta> {
  const previous = await latestState(db, notebookId);
  // Read together, with no await in between: the room's document may change while a query runs.
  const state = Y.encodeStateAsUpdate(doc);
  const snapshot = Y.encodeSnapshot(Y.snapshot(doc));
  const summary = summarize(previous, doc);
  const rows = await db.query<Row>(
    `insert into doc_versions (notebook_id, kind, label, created_by, state, snapshot, editors, summary)
     values ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8::text::jsonb) returning ${META}`,
    [
      notebookId,
      v.kind,
      v.label ?? null,
      v.createdBy ?? null,
      asParam(state),
      asParam(snapshot),
      JSON.stringify([...new Set(v.editors ?? [])].sort()),
      JSON.stringify(summary)
    ]
  );
  return metaOf(rows[0]!);
}

/** What changed from `previous` (a stored state; none for the first version) to `doc`. */
export function summarize(previous: Uint8Array | null, doc: Y.Doc): VersionSummary {
  const before = previous ? docFromState(previous) : new Y.Doc();
  try {
    return compareDocs(before, doc, { lines: false }).summary;
  } finally {
    before.destroy();
  }
}

/** Newest first. */
export async function listVersions(db: Queryable, notebookId: NotebookId): Promise<VersionMeta[]> {
  const rows = await db.query<Row>(
    `select ${META} from doc_versions where notebook_id = $1 order by id desc`,
    [notebookId]
  );
  return rows.map(metaOf);
}

export async function getVersion(
  db: Queryable,
  notebookId: NotebookId,
  id: number
): Promise<{ meta: VersionMeta; state: Uint8Array } | null> {
  const rows = await db.query<Row & { state: unknown }>(
    `select ${META}, state from doc_versions where notebook_id = $1 and id = $2`,
    [notebookId, id]
  );
  return rows[0] ? { meta: metaOf(rows[0]), state: bytes(rows[0].state) } : null;
}
