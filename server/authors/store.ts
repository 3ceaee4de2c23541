// cell_edits in the app database: who changed which cell, one row per notebook, cell, person and minute
// (migrations/0014_cell_edits.sql). Written in batches by the recorder, read by the cell-authors API and the
// History panel's attribution, pruned with age by housekeeping.
import type { Queryable } from '../db/types';
import type { NotebookId, UserId } from '../ids';

/** One row as the recorder holds it before writing: times in milliseconds. */
export type CellEditRow = { cellId: string; userId: UserId; minute: number; firstAt: number; lastAt: number };

/** Rows written per statement: a restore of a large notebook touches every cell at once. */
const CHUNK = 500;

/** Upserts `rows` (unique by cell, person and minute). Rows of a person or notebook deleted meanwhile are skipped
 * rather than failing the batch (and every retry of it) on a foreign key. */
export async function writeCellEdits(
  db: Queryable,
  notebookId: NotebookId,
  rows: CellEditRow[]
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK).map((r) => ({
      c: r.cellId,
      u: r.userId,
      m: new Date(r.minute).toISOString(),
      f: new Date(r.firstAt).toISOString(),
      l: new Date(r.lastAt).toISOString()
    }));
    await db.query(
      `insert into cell_edits (notebook_id, cell_id, user_id, minute, first_at, last_at)
       select n.id, e->>'c', u.id, (e->>'m')::timestamptz, (e->>'f')::timestamptz, (e->>'l')::timestamptz
         from jsonb_array_elements($2::text::jsonb) e
         join users u on u.id = e->>'u'
         join notebooks n on n.id = $1
       on conflict (notebook_id, cell_id, user_id, minute) do update
         set first_at = least(cell_edits.first_at, excluded.first_at),
             last_at = greatest(cell_edits.last_at, excluded.last_at)`,
      [notebookId, JSON.stringify(chunk)]
    );
  }
}

export type CellEditor = { cellId: string; userId: UserId; name: string; at: Date };

/** Per cell, each person who changed it and when they last did, newest first (people deleted since are gone). */
export async function latestEditors(db: Queryable, notebookId: NotebookId): Promise<CellEditor[]> {
  const rows = await db.query<{ cell_id: string; user_id: UserId; name: string; at: Date | string }>(
    `select e.cell_id, e.user_id, u.name, max(e.last_at) as at
       from cell_edits e join users u on u.id = e.user_id
      where e.notebook_id = $1
      group by e.cell_id, e.user_id, u.name
      order by at desc`,
    [notebookId]
  );
  return rows.map((r) => ({ cellId: r.cell_id, userId: r.user_id, name: r.name, at: new Date(r.at) }));
}

/** Who changed which cells between `from` (exclusive; null: the beginning) and `to`. A row stands for up to a
 * minute of edits, so one overlapping either end counts. */
export async function editorsBetween(
  db: Queryable,
  notebookId: NotebookId,
  from: Date | null,
  to: Date
): Promise<{ cellId: string; userId: UserId; name: string }[]> {
  const rows = await db.query<{ cell_id: string; user_id: UserId; name: string }>(
    `select distinct e.cell_id, e.user_id, u.name
       from cell_edits e join users u on u.id = e.user_id
      where e.notebook_id = $1 and e.first_at <= $3 and ($2::timestamptz is null or e.last_at > $2::timestamptz)
      order by u.name`,
    [notebookId, from, to]
  );
  return rows.map((r) => ({ cellId: r.cell_id, userId: r.user_id, name: r.name }));
}

/** How long rows are kept in full: a version older than this is attributed only as far as the rows kept say. */
export const CELL_EDITS_KEPT_DAYS = 180;

/** Deletes rows older than `CELL_EDITS_KEPT_DAYS`, except each person's newest row per cell ("last changed by"). */
export async function pruneCellEdits(db: Queryable, now: Date = new Date()): Promise<{ deleted: number }> {
  const cutoff = new Date(now.getTime() - CELL_EDITS_KEPT_DAYS * 86_400_000);
  const rows = await db.query<{ n: number }>(
    `with gone as (
       delete from cell_edits e
        where e.last_at < $1
          and exists (select 1 from cell_edits n
                       where n.notebook_id = e.notebook_id and n.cell_id = e.cell_id and n.user_id = e.user_id
                         and n.minute > e.minute)
        returning 1)
     select count(*)::int as n from gone`,
    [cutoff]
  );
  return { deleted: rows[0]?.n ?? 0 };
}
