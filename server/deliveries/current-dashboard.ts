// A published dashboard's current snapshot as its viewers see it (dashboard.json), or null when it is not
// published (or unpublished). No access check: callers decide who gets what of it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PublishedDashboardSchema, type PublishedDashboard } from '../../cells/published';
import type { Queryable } from '../db/types';
import type { NotebookId } from '../ids';
import { DASHBOARD_FILE, snapshotDir } from '../publish/snapshot';

export type CurrentDashboard = { slug: string; dashboard: PublishedDashboard };

export async function currentDashboard(
  db: Queryable,
  dataDir: string,
  notebookId: NotebookId
): Promise<CurrentDashboard | null> {
  const [p] = await db.query<{ slug: string; snapshot_id: string | null; visibility: string }>(
    'select slug, snapshot_id, visibility from publications where notebook_id = $1',
    [notebookId]
  );
  if (!p?.snapshot_id || p.visibility === 'off') return null;
  const file = path.join(snapshotDir(dataDir, notebookId, p.snapshot_id), DASHBOARD_FILE);
  return {
    slug: p.slug,
    dashboard: PublishedDashboardSchema.parse(JSON.parse(await readFile(file, 'utf8')))
  };
}
