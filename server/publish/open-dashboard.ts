// Serving a published dashboard to whoever opens its link: the page from the current snapshot, and a chart's
// rows for the page to draw interactively. Both go through the same access check, as the rows are the data.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ANSWER_FILE, BaseTableSchema } from '../../cells/interactive';
import { PublishedDashboardSchema, type Visibility } from '../../cells/published';
import { AppError, notFound } from '../errors';
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
  return dashboardPage(row, row.snapshot_id!, dashboard, {
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

/**
 * The files a snapshot lists for viewers' browsers (base tables and precomputed answers), by snapshot folder: read
 * once, since a viewer reads in many ranges.
 */
const listed = new Map<string, Promise<Set<string>>>();
const LISTED_KEPT = 200;

function tablesOf(dir: string): Promise<Set<string>> {
  let known = listed.get(dir);
  if (!known) {
    known = readFile(path.join(dir, DASHBOARD_FILE), 'utf8').then((text) => {
      const tables = PublishedDashboardSchema.shape.interactive.parse(JSON.parse(text).interactive);
      return new Set([
        ...(tables?.tables ?? []).map((t) => t.file),
        ...(tables?.precomputed ?? []).flatMap((p) => Object.values(p.answers).map((a) => a.file))
      ]);
    });
    known.catch(() => listed.delete(dir));
    listed.set(dir, known);
    if (listed.size > LISTED_KEPT) listed.delete(listed.keys().next().value!);
  }
  return known;
}

/**
 * A base table of the dashboard's current snapshot, for a reader the page would let in; an older snapshot is
 * gone after a refresh, and its reader is told to reload.
 */
export async function baseTablePath(
  db: Queryable,
  dataDir: string,
  slug: string,
  userId: UserId | null,
  snapshotId: string,
  file: string
): Promise<{ path: string; visibility: Visibility }> {
  const { row } = await dashboardAccess(db, slug, userId);
  if (snapshotId !== row.snapshot_id)
    throw new AppError(
      'not_found',
      'This dashboard’s data was refreshed since the page was opened. Reload the page to see the new data.'
    );
  // Only names the snapshot itself lists: nothing else in (or outside) its folder is reachable.
  if (!BaseTableSchema.shape.file.safeParse(file).success && !ANSWER_FILE.test(file))
    throw notFound('That table');
  const dir = snapshotDir(dataDir, row.notebook_id, row.snapshot_id);
  if (!(await tablesOf(dir)).has(file)) throw notFound('That table');
  return { path: path.join(dir, file), visibility: row.visibility };
}
