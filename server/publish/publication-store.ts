// The publications table and the snapshot folders beside it. Every read and write of a publication's row is
// here, so the rules that guard it (a refresh never overwrites a newer publish; a refresh's next time comes from
// next-run.ts) sit next to the SQL they constrain, and callers deal in rows, not statements.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Schedule, Visibility } from '../../cells/published';
import type { Queryable } from '../db/types';
import { newToken, type NotebookId, type UserId, type WorkspaceId } from '../ids';
import { nextRun } from './next-run';
import type { PublishSettings } from './publish-settings';
import { publicationDir } from './snapshot';

export type PublicationRow = {
  notebook_id: NotebookId;
  workspace_id: WorkspaceId;
  slug: string;
  visibility: Visibility;
  show_sql: boolean;
  allow_fork: boolean;
  schedule: Schedule;
  published_by: UserId;
  published_at: Date;
  doc_state: Uint8Array;
  snapshot_id: string | null;
  refreshed_at: Date | null;
  refresh_error: string | null;
  refresh_failed_at: Date | null;
};

const SELECT = `select p.*, n.workspace_id from publications p join notebooks n on n.id = p.notebook_id`;

export async function publicationRow(db: Queryable, notebookId: NotebookId): Promise<PublicationRow | null> {
  const rows = await db.query<PublicationRow>(`${SELECT} where p.notebook_id = $1`, [notebookId]);
  return rows[0] ?? null;
}

/** The publication behind a link, unless its notebook is in the trash (whether it may be shown is access's call). */
export async function publicationBySlug(db: Queryable, slug: string): Promise<PublicationRow | null> {
  const rows = await db.query<PublicationRow>(`${SELECT} where p.slug = $1 and n.deleted_at is null`, [slug]);
  return rows[0] ?? null;
}

/** A publication's row without its frozen document: what a dashboard page's cache key is made of (page-key.ts). */
export type PublicationHead = Omit<PublicationRow, 'doc_state'>;

/** As publicationBySlug, minus the document (read on every view of a cached page; the document can be large). */
export async function publicationHeadBySlug(db: Queryable, slug: string): Promise<PublicationHead | null> {
  const rows = await db.query<PublicationHead>(
    `select p.notebook_id, p.slug, p.visibility, p.show_sql, p.allow_fork, p.schedule, p.published_by,
            p.published_at, p.snapshot_id, p.refreshed_at, p.refresh_error, p.refresh_failed_at, n.workspace_id
       from publications p join notebooks n on n.id = p.notebook_id
      where p.slug = $1 and n.deleted_at is null`,
    [slug]
  );
  return rows[0] ?? null;
}

/** Publishing: a new publication, or the notebook's existing one (keeping its slug) with all of it replaced. */
export async function savePublished(
  db: Queryable,
  p: {
    notebookId: NotebookId;
    userId: UserId;
    settings: PublishSettings;
    docState: Uint8Array;
    snapshotId: string;
  }
): Promise<void> {
  const { settings } = p;
  await db.query(
    `insert into publications (notebook_id, slug, visibility, show_sql, allow_fork, schedule, published_by,
                               doc_state, snapshot_id, refreshed_at, next_refresh_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), $10)
     on conflict (notebook_id) do update set
       visibility = excluded.visibility, show_sql = excluded.show_sql, allow_fork = excluded.allow_fork,
       schedule = excluded.schedule, published_by = excluded.published_by, published_at = now(),
       doc_state = excluded.doc_state, snapshot_id = excluded.snapshot_id, refreshed_at = now(),
       refresh_error = null, refresh_failed_at = null, next_refresh_at = excluded.next_refresh_at`,
    [
      p.notebookId,
      newToken(),
      settings.visibility,
      settings.showSql,
      settings.allowFork,
      settings.schedule,
      p.userId,
      Buffer.from(p.docState),
      p.snapshotId,
      nextRun(settings.schedule)
    ]
  );
}

/** New settings; the next refresh moves only when the schedule changes. */
export async function saveSettings(
  db: Queryable,
  notebookId: NotebookId,
  s: { visibility: Visibility; allowFork: boolean; schedule: Schedule }
): Promise<void> {
  await db.query(
    `update publications set visibility = $2, allow_fork = $3, schedule = $4,
            next_refresh_at = case when $4 = schedule then next_refresh_at else $5 end
      where notebook_id = $1`,
    [notebookId, s.visibility, s.allowFork, s.schedule, nextRun(s.schedule)]
  );
}

/**
 * Points the publication at a refreshed snapshot, only if nobody re-published since `row` was read (another
 * server, say): a newer document wins over this refresh. False when it lost.
 */
export async function saveRefreshed(
  db: Queryable,
  row: PublicationRow,
  snapshotId: string
): Promise<boolean> {
  // (Compared to the millisecond: that is what a JavaScript Date holds of PostgreSQL's microseconds.)
  const updated = await db.query(
    `update publications set snapshot_id = $2, refreshed_at = now(), refresh_error = null,
            refresh_failed_at = null, next_refresh_at = $3 where notebook_id = $1 and date_trunc('milliseconds', published_at) = $4
     returning notebook_id`,
    [row.notebook_id, snapshotId, nextRun(row.schedule), row.published_at]
  );
  return updated.length > 0;
}

/** A failed refresh: the last good snapshot stays; why it failed is recorded and the next try scheduled. */
export async function saveRefreshFailed(db: Queryable, row: PublicationRow, message: string): Promise<void> {
  await db.query(
    `update publications set refresh_error = $2, refresh_failed_at = now(), next_refresh_at = $3
      where notebook_id = $1`,
    [row.notebook_id, message, nextRun(row.schedule)]
  );
}

/** Snapshot folders other than the current one go (a refresh that lost a race leaves nothing behind). */
export async function dropOldSnapshots(dataDir: string, notebookId: NotebookId, keep: string | null) {
  const dir = publicationDir(dataDir, notebookId);
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    entries.filter((e) => e !== keep).map((e) => rm(path.join(dir, e), { recursive: true, force: true }))
  );
}
