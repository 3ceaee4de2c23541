// Serving a published dashboard to whoever opens its link: the page from the current snapshot, and a chart's
// rows for the page to draw interactively. Both go through the same access check, as the rows are the data.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PublishedDashboardSchema } from '../../cells/published';
import type { Queryable } from '../db/types';
import type { CellId, UserId } from '../ids';
import { dashboardAccess, editsIt, mayFork } from './dashboard-access';
import { dashboardPage, type DashboardPage } from './publication-view';
import { chartFile, DASHBOARD_FILE, snapshotDir } from './snapshot';

export async function openDashboard(
  db: Queryable,
  dataDir: string,
  slug: string,
  userId: UserId | null
): Promise<DashboardPage> {
  const access = await dashboardAccess(db, slug, userId);
  const { row } = access;
  const file = path.join(snapshotDir(dataDir, row.notebook_id, row.snapshot_id!), DASHBOARD_FILE);
  const dashboard = PublishedDashboardSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  return dashboardPage(row, dashboard, {
    canRefresh: editsIt(access),
    readsRefreshError: editsIt(access),
    canFork: !!userId && mayFork(access)
  });
}

/** A chart's rows (Arrow IPC) for the page to draw interactively; same access as the page. */
export async function chartRowsPath(
  db: Queryable,
  dataDir: string,
  slug: string,
  userId: UserId | null,
  cellId: CellId
): Promise<string> {
  const { row } = await dashboardAccess(db, slug, userId);
  return path.join(snapshotDir(dataDir, row.notebook_id, row.snapshot_id!), chartFile(cellId));
}
