// Publications: a notebook published as a read-only dashboard under /d/:slug. Publishing freezes the document
// and builds a snapshot (snapshot.ts); re-publishing replaces both and keeps the link; refreshing re-runs the
// frozen queries. Visibility: anyone with the link, workspace members, or off (the link answers 404). This file
// is the author's side of it; readers come in through open-dashboard.ts, the timer through schedule.ts.
import * as Y from 'yjs';
import { takeVersion } from '../versions/versions';
import { alertsOf, readWatched } from '../deliveries/alert-check';
import { afterRefresh } from '../deliveries/after-refresh';
import { loadDoc } from '../collab/doc-store';
import type { Db, Queryable } from '../db/types';
import { AppError, invalid, notFound } from '../errors';
import type { NotebookId, UserId, WorkspaceId } from '../ids';
import { parseInput } from '../validate';
import { requireNotebookRole } from '../workspaces/access';
import { liveBySlug } from './dashboard-access';
import {
  dropOldSnapshots,
  publicationRow,
  savePublished,
  saveRefreshed,
  saveRefreshFailed,
  saveSettings,
  type PublicationRow
} from './publication-store';
import { statusOf, type PublicationStatus } from './publication-view';
import { PublishSchema, UpdateSchema, type PublishSettings } from './publish-settings';
import { inTurn, oneAtATime } from './refresh-turns';
import { buildSnapshot, type SnapshotDeps } from './snapshot';

export async function publicationStatus(
  db: Queryable,
  userId: UserId,
  notebookId: NotebookId
): Promise<PublicationStatus | null> {
  await requireNotebookRole(db, userId, notebookId, 'viewer');
  const row = await publicationRow(db, notebookId);
  return row ? statusOf(row) : null;
}

/** Freezes the notebook as it is now and builds its snapshot; the link stays the same on re-publishing. */
export async function publish(
  db: Db,
  deps: SnapshotDeps,
  userId: UserId,
  notebookId: NotebookId,
  input: unknown
): Promise<PublicationStatus> {
  const settings = parseInput(PublishSchema, input);
  const { notebook } = await requireNotebookRole(db, userId, notebookId, 'editor');
  return inTurn(db, notebookId, () =>
    publishNow(db, deps, userId, notebook.workspaceId, notebookId, settings)
  );
}

async function publishNow(
  db: Db,
  deps: SnapshotDeps,
  userId: UserId,
  workspaceId: WorkspaceId,
  notebookId: NotebookId,
  settings: PublishSettings
): Promise<PublicationStatus> {
  // The history keeps what was published (a failure there must not stop publishing).
  await takeVersion(db, notebookId, 'publish', userId, 'Published').catch((e: unknown) =>
    console.error('publish: could not save a version of the notebook:', e)
  );
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
  await savePublished(db, { notebookId, userId, settings, docState, snapshotId });
  await dropOldSnapshots(deps.dataDir, notebookId, snapshotId);
  return statusOf((await publicationRow(db, notebookId))!);
}

/** Changes who sees it and how it refreshes, without rebuilding. Visibility 'off' unpublishes. */
export async function updatePublication(
  db: Queryable,
  userId: UserId,
  notebookId: NotebookId,
  input: unknown
): Promise<PublicationStatus> {
  const settings = parseInput(UpdateSchema, input);
  await requireNotebookRole(db, userId, notebookId, 'editor');
  const row = await publicationRow(db, notebookId);
  if (!row) throw notFound('That dashboard');
  // An unpublished dashboard's snapshot is cleared away (cleanup.ts): showing it again means publishing again.
  if (row.visibility === 'off' && settings.visibility && settings.visibility !== 'off')
    throw invalid('Publish the notebook again to make its dashboard visible.');
  await saveSettings(db, notebookId, {
    visibility: settings.visibility ?? row.visibility,
    allowFork: settings.allowFork ?? row.allow_fork,
    schedule: settings.schedule ?? row.schedule
  });
  return statusOf((await publicationRow(db, notebookId))!);
}

/** One refresh at a time per dashboard; a second request in this process waits for the running one. */
const refreshOnce = oneAtATime<PublicationStatus>();

/**
 * Re-runs the published queries into a new snapshot. A failure keeps the last good one and is recorded. Either
 * way, subscriptions, alerts and failure notices follow (server/deliveries/after-refresh.ts).
 */
export function refreshPublication(
  db: Db,
  deps: SnapshotDeps,
  notebookId: NotebookId,
  opts: { scheduled?: boolean } = {}
): Promise<PublicationStatus> {
  const scheduled = opts.scheduled ?? false;
  return refreshOnce(notebookId, async () => {
    const before = await publicationRow(db, notebookId);
    return inTurn(db, notebookId, async () => {
      const row = await publicationRow(db, notebookId);
      if (!row) throw notFound('That dashboard');
      // Another server refreshed (or re-published) while this one waited for its turn: that run is joined, as
      // one in this process would have been, rather than the same work done again right after it.
      if (before && ranSince(before, row)) return statusOf(row);
      try {
        const alerts = await alertsOf(db, notebookId);
        let values = new Map<string, number | null>();
        const snapshotId = await buildSnapshot(
          db,
          deps,
          {
            notebookId,
            workspaceId: row.workspace_id,
            publishedBy: row.published_by,
            docState: new Uint8Array(row.doc_state),
            showSql: row.show_sql
          },
          async (bench) => {
            if (alerts.length) values = await readWatched(bench, alerts);
          }
        );
        const current = (await saveRefreshed(db, row, snapshotId))
          ? snapshotId
          : ((await publicationRow(db, notebookId))?.snapshot_id ?? null);
        await dropOldSnapshots(deps.dataDir, notebookId, current);
        await afterRefresh(db, notebookId, { ok: true, scheduled, alerts, values });
      } catch (e) {
        const message =
          e instanceof AppError ? e.message : 'The refresh failed on our side. It has been logged.';
        if (!(e instanceof AppError)) console.error('publish: refresh failed:', e);
        await saveRefreshFailed(db, row, message);
        await afterRefresh(db, notebookId, { ok: false, scheduled, message });
      }
      return statusOf((await publicationRow(db, notebookId))!);
    });
  });
}

/** Whether a refresh or publish finished between reading `before` and `after`. */
function ranSince(before: PublicationRow, after: PublicationRow): boolean {
  const t = (d: Date | null) => (d ? new Date(d).getTime() : null);
  return (
    t(before.refreshed_at) !== t(after.refreshed_at) ||
    t(before.refresh_failed_at) !== t(after.refresh_failed_at)
  );
}

/** Refreshing by hand: the notebook's editors. */
export async function refreshAsEditor(db: Db, deps: SnapshotDeps, userId: UserId, slug: string) {
  const row = await liveBySlug(db, slug);
  await requireNotebookRole(db, userId, row.notebook_id, 'editor');
  return refreshPublication(db, deps, row.notebook_id);
}
