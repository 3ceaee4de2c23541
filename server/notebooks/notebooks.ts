// Notebooks in a workspace: create, rename, soft-delete, restore, list and search.
import { z } from 'zod';
import * as Y from 'yjs';
import { initNotebook, setTitle, type NewCell } from '../../cells/document';
import { hasLocalSql } from '../../cells/sql/local-sql';
import { appendUpdates, loadDoc } from '../collab/doc-store';
import { roomsFor } from '../collab/rooms';
import type { Db, Queryable } from '../db/types';
import { newNotebookId, type NotebookId, type UserId, type WorkspaceId } from '../ids';
import { parseInput } from '../validate';
import { requireNotebookRole, requireWorkspaceRole } from '../workspaces/access';

/** Deleted notebooks stay restorable this long, then are purged. */
export const TRASH_DAYS = 30;

export const TitleSchema = z
  .string()
  .trim()
  .min(1, 'Give the notebook a title.')
  .max(200, 'Use at most 200 characters for the title.');

export type NotebookSummary = {
  id: NotebookId;
  title: string;
  updatedAt: Date;
  deletedAt: Date | null;
  createdBy: string | null;
};

/** A new notebook starts with one empty SQL cell, ready to type into. */
const STARTER_CELLS: NewCell[] = [{ kind: 'sql' }];

/**
 * Whether the notebook has a SQL cell that runs in the browser (its page then starts DuckDB-WASM while it opens).
 * Read from the loaded room when someone has the notebook open, else from storage. Access is the caller's to check.
 */
export async function runsLocalSql(db: Db, notebookId: NotebookId): Promise<boolean> {
  const room = await roomsFor(db)
    .peek(notebookId)
    .catch(() => undefined);
  if (room && !room.isDestroyed) return hasLocalSql(room.doc);
  const doc = await loadDoc(db, notebookId);
  try {
    return hasLocalSql(doc);
  } finally {
    doc.destroy();
  }
}

export async function createNotebook(
  db: Db,
  userId: UserId,
  workspaceId: WorkspaceId,
  input: unknown,
  cells: NewCell[] = STARTER_CELLS
): Promise<{ id: NotebookId; title: string }> {
  const { title } = parseInput(z.object({ title: TitleSchema.default('Untitled notebook') }), input);
  await requireWorkspaceRole(db, userId, workspaceId, 'editor');
  const id = newNotebookId();
  // The server writes the initial document, so two people opening a new notebook never both initialise it.
  const doc = new Y.Doc();
  initNotebook(doc, title, cells);
  const initial = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  await db.transaction(async (tx) => {
    await tx.query('insert into notebooks (id, workspace_id, title, created_by) values ($1, $2, $3, $4)', [
      id,
      workspaceId,
      title,
      userId
    ]);
    await appendUpdates(tx, id, [initial]);
  });
  return { id, title };
}

/** Renames in the list and in the document, so people with the notebook open see the new title at once. */
export async function renameNotebook(db: Db, userId: UserId, notebookId: NotebookId, input: unknown) {
  const { title } = parseInput(z.object({ title: TitleSchema }), input);
  await requireNotebookRole(db, userId, notebookId, 'editor');
  await db.query('update notebooks set title = $2, updated_at = now() where id = $1', [notebookId, title]);
  await roomsFor(db).edit(notebookId, (doc) => setTitle(doc, title));
  return { id: notebookId, title };
}

export async function deleteNotebook(db: Queryable, userId: UserId, notebookId: NotebookId): Promise<void> {
  await requireNotebookRole(db, userId, notebookId, 'editor');
  await db.query('update notebooks set deleted_at = now() where id = $1 and deleted_at is null', [
    notebookId
  ]);
}

export async function restoreNotebook(db: Queryable, userId: UserId, notebookId: NotebookId): Promise<void> {
  await requireNotebookRole(db, userId, notebookId, 'editor', { allowDeleted: true });
  await db.query(
    `update notebooks set deleted_at = null
      where id = $1 and deleted_at > now() - make_interval(days => $2)`,
    [notebookId, TRASH_DAYS]
  );
}

const ListSchema = z.object({
  q: z.string().trim().max(200).default(''),
  trash: z.boolean().default(false)
});

export async function listNotebooks(
  db: Queryable,
  userId: UserId,
  workspaceId: WorkspaceId,
  input: unknown = {}
): Promise<NotebookSummary[]> {
  const { q, trash } = parseInput(ListSchema, input);
  await requireWorkspaceRole(db, userId, workspaceId, 'viewer');
  // The search text is a parameter and its LIKE wildcards are escaped, so it is matched literally.
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db.query<NotebookSummary>(
    `select n.id, n.title, n.updated_at as "updatedAt", n.deleted_at as "deletedAt", u.name as "createdBy"
       from notebooks n left join users u on u.id = n.created_by
      where n.workspace_id = $1
        and n.title ilike $2
        and ${trash ? `n.deleted_at > now() - make_interval(days => ${TRASH_DAYS})` : 'n.deleted_at is null'}
      order by ${trash ? 'n.deleted_at' : 'n.updated_at'} desc
      limit 500`,
    [workspaceId, pattern]
  );
}

/** Removes notebooks deleted more than TRASH_DAYS ago. */
export async function purgeDeletedNotebooks(db: Queryable): Promise<number> {
  const rows = await db.query(
    `delete from notebooks where deleted_at <= now() - make_interval(days => $1) returning id`,
    [TRASH_DAYS]
  );
  return rows.length;
}
