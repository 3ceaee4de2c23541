// Who changed what, as people ask for it: per cell, who last changed it and when (viewers and up); per version,
// which people changed which cells since the version before — the edit rows in that window joined with the two
// versions' comparison (cells/versions.ts), so only cells that really differ are attributed. Both first write
// what the notebook's open room has noted, so an answer includes the edit that prompted the question.
import { compareStates, type CellDiff } from '../../cells/versions';
import { roomsFor } from '../collab/rooms';
import type { Db } from '../db/types';
import { notFound } from '../errors';
import type { NotebookId, UserId } from '../ids';
import { requireNotebookRole } from '../workspaces/access';
import { editorsBetween, latestEditors } from './store';

export type Author = { id: UserId; name: string; at: string };
/** The last person to change a cell, and the people who changed it, newest first (a few). */
export type CellAuthors = { last: Author; editors: Author[] };

/** People listed per cell besides the last. */
const EDITORS_SHOWN = 5;

async function flushOpenRoom(db: Db, notebookId: NotebookId): Promise<void> {
  const room = await roomsFor(db).peek(notebookId);
  if (room && !room.isDestroyed) await room.cellEdits.flush();
}

export async function cellAuthors(
  db: Db,
  userId: UserId,
  notebookId: NotebookId
): Promise<Record<string, CellAuthors>> {
  await requireNotebookRole(db, userId, notebookId, 'viewer');
  await flushOpenRoom(db, notebookId);
  const out: Record<string, CellAuthors> = {};
  // Newest first: the first row of a cell is its last change.
  for (const r of await latestEditors(db, notebookId)) {
    const a: Author = { id: r.userId, name: r.name, at: r.at.toISOString() };
    const cell = (out[r.cellId] ??= { last: a, editors: [] });
    if (cell.editors.length < EDITORS_SHOWN) cell.editors.push(a);
  }
  return out;
}

export type Person = { id: UserId; name: string };
export type CellChange = {
  id: string;
  status: Exclude<CellDiff['status'], 'unchanged'> | 'moved';
  /** Where the cell is in this version (where it was before, for a removed one), with its kind and name. */
  index: number;
  kind: string;
  name: string;
  people: Person[];
};
export type VersionChanges = { cells: CellChange[]; people: Person[] };

type VersionRow = { id: unknown; created_at: Date | string; state: unknown };

/** Which people changed which cells between version `versionId` and the one before it (viewers and up). */
export async function versionChanges(
  db: Db,
  userId: UserId,
  notebookId: NotebookId,
  versionId: number
): Promise<VersionChanges> {
  await requireNotebookRole(db, userId, notebookId, 'viewer');
  const [v] = await db.query<VersionRow>(
    'select id, created_at, state from doc_versions where notebook_id = $1 and id = $2',
    [notebookId, versionId]
  );
  if (!v) throw notFound('That version');
  // The one before as listed now: after thinning, the window reaches back to the version kept before it.
  const [prev] = await db.query<VersionRow>(
    `select id, created_at, state from doc_versions where notebook_id = $1 and id < $2 order by id desc limit 1`,
    [notebookId, versionId]
  );
  await flushOpenRoom(db, notebookId);
  const comparison = compareStates(
    prev ? new Uint8Array(prev.state as Uint8Array) : new Uint8Array([0, 0]),
    new Uint8Array(v.state as Uint8Array),
    { lines: false }
  );
  const rows = await editorsBetween(
    db,
    notebookId,
    prev ? new Date(prev.created_at) : null,
    new Date(v.created_at)
  );
  const byCell = new Map<string, Person[]>();
  for (const r of rows) {
    const list = byCell.get(r.cellId) ?? [];
    list.push({ id: r.userId, name: r.name });
    byCell.set(r.cellId, list);
  }
  const cells: CellChange[] = [];
  const people = new Map<UserId, Person>();
  for (const d of comparison.cells) {
    if (d.status === 'unchanged' && !d.moved) continue;
    const place = (d.after ?? d.before)!;
    const who = byCell.get(d.id) ?? [];
    for (const p of who) people.set(p.id, p);
    cells.push({
      id: d.id,
      status: d.status === 'unchanged' ? 'moved' : d.status,
      index: place.index,
      kind: place.kind,
      name: place.name,
      people: who
    });
  }
  return { cells, people: [...people.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}
