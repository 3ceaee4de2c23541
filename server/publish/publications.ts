// Publications: a notebook published as a read-only dashboard under /d/:slug. Publishing freezes the document
// and builds a snapshot (snapshot.ts); re-publishing replaces both and keeps the link; refreshing re-runs the
// frozen queries. Visibility: anyone with the link, workspace members, or off (the link answers 404).
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import * as Y from 'yjs';
import { z } from 'zod';
import {
  PublishedDashboardSchema,
  ScheduleSchema,
  VisibilitySchema,
  type PublishedDashboard,
  type Schedule,
  type Visibility
} from '../../cells/published';
import { loadDoc } from '../collab/doc-store';
import type { Db, Queryable } from '../db/types';
import { AppError, invalid, notFound } from '../errors';
import { newToken } from '../ids';
import { parseInput } from '../validate';
import { requireNotebookRole, roleIn } from '../workspaces/access';
import { atLeast } from '../workspaces/roles';
import { nextRun } from './next-run';
import {
  buildSnapshot,
  chartFile,
  DASHBOARD_FILE,
  publicationDir,
  snapshotDir,
  type SnapshotDeps
} from './snapshot';

export const PublishSchema = z.object({
  visibility: VisibilitySchema.default('members'),
  showSql: z.boolean().default(false),
  allowFork: z.boolean().default(false),
  schedule: ScheduleSchema.default('off')
});
export type PublishSettings = z.infer<typeof PublishSchema>;
const UpdateSchema = z.object({
  visibility: VisibilitySchema.optional(),
  allowFork: z.boolean().optional(),
  schedule: ScheduleSchema.optional()
});

type Row = {
  notebook_id: string;
  workspace_id: string;
  slug: string;
  visibility: Visibility;
  show_sql: boolean;
  allow_fork: boolean;
  schedule: Schedule;
  published_by: string;
  published_at: Date;
  doc_state: Uint8Array;
  snapshot_id: string | null;
  refreshed_at: Date | null;
  refresh_error: string | null;
  refresh_failed_at: Date | null;
};

const SELECT = `select p.*, n.workspace_id from publications p join notebooks n on n.id = p.notebook_id`;

/** The publication as its notebook's members see it (no document, no snapshot). */
export type PublicationStatus = {
  slug: string;
  visibility: Visibility;
  showSql: boolean;
  allowFork: boolean;
  schedule: Schedule;
  publishedAt: string;
  refreshedAt: string | null;
  refreshError: string | null;
  refreshFailedAt: string | null;
};

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function statusOf(r: Row): PublicationStatus {
  return {
    slug: r.slug,
    visibility: r.visibility,
    showSql: r.show_sql,
    allowFork: r.allow_fork,
    schedule: r.schedule,
    publishedAt: new Date(r.published_at).toISOString(),
    refreshedAt: iso(r.refreshed_at),
    refreshError: r.refresh_error,
    refreshFailedAt: iso(r.refresh_failed_at)
  };
}

async function rowOf(db: Queryable, notebookId: string): Promise<Row | null> {
  const rows = await db.query<Row>(`${SELECT} where p.notebook_id = $1`, [notebookId]);
  return rows[0] ?? null;
}

/** Snapshot folders other than the current one go (a refresh that lost a race leaves nothing behind). */
async function dropOldSnapshots(dataDir: string, notebookId: string, keep: string | null) {
  const dir = publicationDir(dataDir, notebookId);
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    entries.filter((e) => e !== keep).map((e) => rm(path.join(dir, e), { recursive: true, force: true }))
  );
}

export async function publicationStatus(
  db: Queryable,
  userId: string,
  notebookId: string
): Promise<PublicationStatus | null> {
  await requireNotebookRole(db, userId, notebookId, 'viewer');
  const row = await rowOf(db, notebookId);
  return row ? statusOf(row) : null;
}

/** Freezes the notebook as it is now and builds its snapshot; the link stays the same on re-publishing. */
export async function publish(
  db: Db,
  deps: SnapshotDeps,
  userId: string,
  notebookId: string,
  input: unknown
): Promise<PublicationStatus> {
  const settings = parseInput(PublishSchema, input);
  const { notebook } = await requireNotebookRole(db, userId, notebookId, 'editor');
  return inTurn(notebookId, () => publishNow(db, deps, userId, notebook.workspaceId, notebookId, settings));
}

async function publishNow(
  db: Db,
  deps: SnapshotDeps,
  userId: string,
  workspaceId: string,
  notebookId: string,
  settings: PublishSettings
): Promise<PublicationStatus> {
  const doc = await loadDoc(db, notebookId);
  const docState = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  const snapshotId = await buildSnapshot(db, deps, {
    notebookId,
    workspaceId,
    publishedBy: userId,
    docState,
    showSql: settings.showSql
  });
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
      notebookId,
      newToken(),
      settings.visibility,
      settings.showSql,
      settings.allowFork,
      settings.schedule,
      userId,
      Buffer.from(docState),
      snapshotId,
      nextRun(settings.schedule)
    ]
  );
  await dropOldSnapshots(deps.dataDir, notebookId, snapshotId);
  return statusOf((await rowOf(db, notebookId))!);
}

/** Changes who sees it and how it refreshes, without rebuilding. Visibility 'off' unpublishes. */
export async function updatePublication(
  db: Queryable,
  userId: string,
  notebookId: string,
  input: unknown
): Promise<PublicationStatus> {
  const settings = parseInput(UpdateSchema, input);
  await requireNotebookRole(db, userId, notebookId, 'editor');
  const row = await rowOf(db, notebookId);
  if (!row) throw notFound('That dashboard');
  // An unpublished dashboard's snapshot is cleared away (cleanup.ts): showing it again means publishing again.
  if (row.visibility === 'off' && settings.visibility && settings.visibility !== 'off')
    throw invalid('Publish the notebook again to make its dashboard visible.');
  const schedule = settings.schedule ?? row.schedule;
  await db.query(
    `update publications set visibility = $2, allow_fork = $3, schedule = $4,
            next_refresh_at = case when $4 = schedule then next_refresh_at else $5 end
      where notebook_id = $1`,
    [
      notebookId,
      settings.visibility ?? row.visibility,
      settings.allowFork ?? row.allow_fork,
      schedule,
      nextRun(schedule)
    ]
  );
  return statusOf((await rowOf(db, notebookId))!);
}

const refreshing = new Map<string, Promise<PublicationStatus>>();
const queues = new Map<string, Promise<unknown>>();

/** Publishing and refreshing one notebook's dashboard take turns, so neither overwrites the other's snapshot. */
function inTurn<T>(notebookId: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(notebookId) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  const tail = next.catch(() => undefined);
  queues.set(notebookId, tail);
  void tail.then(() => {
    if (queues.get(notebookId) === tail) queues.delete(notebookId);
  });
  return next;
}

/** Re-runs the published queries into a new snapshot. A failure keeps the last good one and is recorded. */
export function refreshPublication(
  db: Db,
  deps: SnapshotDeps,
  notebookId: string
): Promise<PublicationStatus> {
  const running = refreshing.get(notebookId);
  if (running) return running; // one refresh at a time per dashboard; a second request waits for it
  const work = inTurn(notebookId, async () => {
    const row = await rowOf(db, notebookId);
    if (!row) throw notFound('That dashboard');
    try {
      const snapshotId = await buildSnapshot(db, deps, {
        notebookId,
        workspaceId: row.workspace_id,
        publishedBy: row.published_by,
        docState: new Uint8Array(row.doc_state),
        showSql: row.show_sql
      });
      // Only if nobody re-published meanwhile (another server, say): a newer document wins over this refresh.
      // (Compared to the millisecond: that is what a JavaScript Date holds of PostgreSQL's microseconds.)
      const updated = await db.query(
        `update publications set snapshot_id = $2, refreshed_at = now(), refresh_error = null,
                refresh_failed_at = null, next_refresh_at = $3 where notebook_id = $1 and date_trunc('milliseconds', published_at) = $4
         returning notebook_id`,
        [notebookId, snapshotId, nextRun(row.schedule), row.published_at]
      );
      const current = updated.length ? snapshotId : ((await rowOf(db, notebookId))?.snapshot_id ?? null);
      await dropOldSnapshots(deps.dataDir, notebookId, current);
    } catch (e) {
      const message =
        e instanceof AppError ? e.message : 'The refresh failed on our side. It has been logged.';
      if (!(e instanceof AppError)) console.error('publish: refresh failed:', e);
      await db.query(
        `update publications set refresh_error = $2, refresh_failed_at = now(), next_refresh_at = $3
          where notebook_id = $1`,
        [notebookId, message, nextRun(row.schedule)]
      );
    }
    return statusOf((await rowOf(db, notebookId))!);
  });
  refreshing.set(notebookId, work);
  void work.finally(() => refreshing.delete(notebookId)).catch(() => undefined);
  return work;
}

/** Refreshing by hand: the notebook's editors. */
export async function refreshAsEditor(db: Db, deps: SnapshotDeps, userId: string, slug: string) {
  const row = await bySlug(db, slug);
  await requireNotebookRole(db, userId, row.notebook_id, 'editor');
  return refreshPublication(db, deps, row.notebook_id);
}

async function bySlug(db: Queryable, slug: string): Promise<Row> {
  const rows = await db.query<Row>(`${SELECT} where p.slug = $1 and n.deleted_at is null`, [slug]);
  const row = rows[0];
  if (!row || row.visibility === 'off' || !row.snapshot_id) throw notFound('That dashboard');
  return row;
}

export type DashboardAccess = { row: Row; memberRole: Awaited<ReturnType<typeof roleIn>> };

/** Who may look: anyone for a public link; members of the notebook's workspace otherwise. */
export async function dashboardAccess(
  db: Queryable,
  slug: string,
  userId: string | null
): Promise<DashboardAccess> {
  const row = await bySlug(db, slug);
  const memberRole = userId ? await roleIn(db, userId, row.workspace_id) : null;
  if (row.visibility === 'members' && !memberRole) {
    if (!userId) throw new AppError('unauthorized', 'Log in to see this dashboard.');
    throw notFound('That dashboard');
  }
  return { row, memberRole };
}

export type DashboardPage = {
  dashboard: PublishedDashboard;
  refreshedAt: string | null;
  refreshError: string | null;
  refreshFailedAt: string | null;
  schedule: Schedule;
  canRefresh: boolean;
  canFork: boolean;
};

export async function openDashboard(
  db: Queryable,
  dataDir: string,
  slug: string,
  userId: string | null
): Promise<DashboardPage> {
  const { row, memberRole } = await dashboardAccess(db, slug, userId);
  const file = path.join(snapshotDir(dataDir, row.notebook_id, row.snapshot_id!), DASHBOARD_FILE);
  const dashboard = PublishedDashboardSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  return {
    dashboard,
    refreshedAt: iso(row.refreshed_at),
    // The reason may quote a database's message; only the notebook's editors read it.
    refreshError:
      row.refresh_error && !(memberRole && atLeast(memberRole, 'editor'))
        ? 'The data could not be refreshed; the dashboard’s editors can see why.'
        : row.refresh_error,
    refreshFailedAt: iso(row.refresh_failed_at),
    schedule: row.schedule,
    canRefresh: !!memberRole && atLeast(memberRole, 'editor'),
    canFork: !!userId && (!!memberRole || (row.allow_fork && row.visibility === 'public'))
  };
}

const CELL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A chart's rows (Arrow IPC) for the page to draw interactively; same access as the page. */
export async function chartRowsPath(
  db: Queryable,
  dataDir: string,
  slug: string,
  userId: string | null,
  cellId: string
): Promise<string> {
  if (!CELL_ID.test(cellId)) throw notFound('That chart');
  const { row } = await dashboardAccess(db, slug, userId);
  return path.join(snapshotDir(dataDir, row.notebook_id, row.snapshot_id!), chartFile(cellId));
}

/** The frozen document and who may fork it (forks of a dashboard copy what was published). */
export async function forkableDashboard(db: Queryable, slug: string, userId: string) {
  const { row, memberRole } = await dashboardAccess(db, slug, userId);
  if (!memberRole && !(row.allow_fork && row.visibility === 'public'))
    throw new AppError('forbidden', 'The author of this dashboard does not let others copy it.');
  return {
    notebookId: row.notebook_id,
    workspaceId: row.workspace_id,
    docState: new Uint8Array(row.doc_state),
    showSql: row.show_sql
  };
}
