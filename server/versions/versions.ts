// What people do with versions, each checked against their role in the notebook: viewers list, open and
// compare; editors save named versions and restore. Versions are taken and restored through the notebook's room,
// so a restore is stored and broadcast like anyone's edit, and a version holds exactly what was stored.
import * as Y from 'yjs';
import { z } from 'zod';
import { RESTORE_ORIGIN, restoreCell, restoreNotebook } from '../../cells/restore';
import { compareDocs, docFromState, plainCells, type Comparison } from '../../cells/versions';
import type { CellView } from '../../cells/types';
import { roomsFor } from '../collab/rooms';
import { loadDoc } from '../collab/doc-store';
import type { Db } from '../db/types';
import { AppError, notFound } from '../errors';
import type { NotebookId, UserId } from '../ids';
import { parseInput } from '../validate';
import { requireNotebookRole } from '../workspaces/access';
import { getVersion, listVersions, type VersionKind, type VersionMeta } from './store';

export type Person = { id: UserId; name: string };
export type VersionInfo = Omit<VersionMeta, 'createdBy' | 'editors' | 'notebookId'> & {
  createdBy: Person | null;
  editors: Person[];
};

export const SaveVersionSchema = z.object({
  label: z.string().trim().min(1, 'Give the version a name.').max(200, 'Keep the name under 200 characters.')
});
export const RestoreSchema = z.object({
  cellId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'That is not a cell id.')
    .optional()
});

export const versionIdParam = (v: unknown): number => {
  const n = typeof v === 'string' && /^[1-9][0-9]{0,15}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw notFound('That version');
  return n;
};

async function people(db: Db, ids: Iterable<UserId>): Promise<Map<UserId, Person>> {
  const list = [...new Set(ids)];
  if (list.length === 0) return new Map();
  const rows = await db.query<{ id: UserId; name: string }>(
    'select id, name from users where id in (select jsonb_array_elements_text($1::text::jsonb))',
    [JSON.stringify(list)]
  );
  return new Map(rows.map((r) => [r.id, { id: r.id, name: r.name }]));
}

async function withPeople(db: Db, versions: VersionMeta[]): Promise<VersionInfo[]> {
  const names = await people(
    db,
    versions.flatMap((v) => [...v.editors, ...(v.createdBy ? [v.createdBy] : [])])
  );
  return versions.map(({ notebookId: _n, createdBy, editors, ...v }) => ({
    ...v,
    createdBy: createdBy ? (names.get(createdBy) ?? null) : null,
    // Someone whose account was deleted since is left out rather than shown as an id.
    editors: editors.flatMap((id) => names.get(id) ?? [])
  }));
}

/** Newest first (viewers and up). */
export async function notebookVersions(
  db: Db,
  userId: UserId,
  notebookId: NotebookId
): Promise<VersionInfo[]> {
  await requireNotebookRole(db, userId, notebookId, 'viewer');
  return withPeople(db, await listVersions(db, notebookId));
}

async function versionDoc(db: Db, notebookId: NotebookId, versionId: number) {
  const v = await getVersion(db, notebookId, versionId);
  if (!v) throw notFound('That version');
  return { meta: v.meta, doc: docFromState(v.state) };
}

export type VersionContent = {
  version: VersionInfo;
  title: string;
  description: string;
  cells: CellView[];
  layout: unknown[];
};

/** One version's cells as they were (viewers and up). */
export async function openVersion(
  db: Db,
  userId: UserId,
  notebookId: NotebookId,
  versionId: number
): Promise<VersionContent> {
  await requireNotebookRole(db, userId, notebookId, 'viewer');
  const { meta, doc } = await versionDoc(db, notebookId, versionId);
  try {
    const m = doc.getMap('meta');
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    return {
      version: (await withPeople(db, [meta]))[0]!,
      title: str(m.get('title')),
      description: str(m.get('description')),
      cells: plainCells(doc),
      layout: doc.getArray('layout').toJSON()
    };
  } finally {
    doc.destroy();
  }
}

/** The live document as stored: the room's if the notebook is open, else read from the database. */
async function withLiveDoc<T>(db: Db, notebookId: NotebookId, fn: (doc: Y.Doc) => T): Promise<T> {
  const room = await roomsFor(db).peek(notebookId);
  if (room && !room.isDestroyed) return fn(room.doc);
  const doc = await loadDoc(db, notebookId);
  try {
    return fn(doc);
  } finally {
    doc.destroy();
  }
}

/** A version compared with now, or with another version (`other`), cell by cell (viewers and up). */
export async function compareVersion(
  db: Db,
  userId: UserId,
  notebookId: NotebookId,
  versionId: number,
  other?: number
): Promise<Comparison> {
  await requireNotebookRole(db, userId, notebookId, 'viewer');
  const { doc } = await versionDoc(db, notebookId, versionId);
  try {
    if (other === undefined) return await withLiveDoc(db, notebookId, (live) => compareDocs(doc, live));
    const b = await versionDoc(db, notebookId, other);
    try {
      return compareDocs(doc, b.doc);
    } finally {
      b.doc.destroy();
    }
  } finally {
    doc.destroy();
  }
}

/** Named versions one notebook may keep. */
export const MAX_NAMED_VERSIONS = 500;

/** "Save version…" (editors and up): always stored, even when nothing changed since the last version. */
export async function saveNamedVersion(
  db: Db,
  userId: UserId,
  notebookId: NotebookId,
  input: unknown
): Promise<VersionInfo> {
  await requireNotebookRole(db, userId, notebookId, 'editor');
  const { label } = parseInput(SaveVersionSchema, input);
  // Named versions are kept forever, so their number is bounded: a script saving one a second would otherwise
  // grow the database without end.
  const [row] = await db.query<{ n: number }>(
    `select count(*)::int as n from doc_versions where notebook_id = $1 and kind = 'named'`,
    [notebookId]
  );
  if ((row?.n ?? 0) >= MAX_NAMED_VERSIONS)
    throw new AppError(
      'too_large',
      `This notebook has ${MAX_NAMED_VERSIONS} named versions, the most it can keep. Automatic versions go on.`
    );
  const meta = await roomsFor(db).withRoom(notebookId, (room) =>
    room.checkpoint('named', { label, by: userId, force: true })
  );
  return (await withPeople(db, [meta!]))[0]!;
}

/** A version taken by the server for its own reasons (before publishing, before an assistant regenerates):
 * always stored, except automatic ones when nothing changed since the last version. The caller has checked the
 * role. */
export async function takeVersion(
  db: Db,
  notebookId: NotebookId,
  kind: Exclude<VersionKind, 'named'>,
  by: UserId | null,
  label?: string
): Promise<VersionMeta | null> {
  // Only automatic versions are skipped when nothing changed: a publish, restore or assistant version marks a
  // moment people look for, and is kept (or thinned) by its kind.
  return roomsFor(db).withRoom(notebookId, (room) =>
    room.checkpoint(kind, { by, label, force: kind !== 'auto' })
  );
}

/** Restores the whole notebook, or one cell, as new edits on top of the live document (editors and up). A
 * version of the document just before is stored first; restoring it undoes the restore the same way. */
export async function restoreVersion(
  db: Db,
  userId: UserId,
  notebookId: NotebookId,
  versionId: number,
  input: unknown
): Promise<{ before: VersionInfo }> {
  await requireNotebookRole(db, userId, notebookId, 'editor');
  const { cellId } = parseInput(RestoreSchema, input ?? {});
  const { meta, doc } = await versionDoc(db, notebookId, versionId);
  try {
    if (cellId && !plainCells(doc).some((c) => c.id === cellId)) throw notFound('That cell in this version');
    const what = meta.label ? `“${meta.label}”` : `the version of ${meta.createdAt.toISOString()}`;
    const before = await roomsFor(db).withRoom(notebookId, async (room) => {
      const saved = await room.checkpoint('restore', {
        by: userId,
        force: true,
        label: cellId ? `Before restoring a cell from ${what}` : `Before restoring ${what}`
      });
      await room.serverEdit(
        (live) => {
          if (cellId) restoreCell(live, doc, cellId);
          else restoreNotebook(live, doc);
        },
        { server: true, by: userId, tag: RESTORE_ORIGIN }
      );
      return saved!;
    });
    return { before: (await withPeople(db, [before]))[0]! };
  } finally {
    doc.destroy();
  }
}
