// Scheduled refreshes: once a minute the server refreshes dashboards whose hourly or daily refresh is due, one
// after another (each re-runs queries on databases and native DuckDB; running them side by side would only
// compete for the same memory). A failure is recorded on the dashboard by refreshPublication.
import type { Db, Queryable } from '../db/types';
import type { NotebookId } from '../ids';
import { nextRunsJson } from './next-run';
import { refreshPublication } from './publications';
import type { SnapshotDeps } from './snapshot';

/** Schedules: publications whose next refresh is due. */
export async function dueRefreshes(db: Queryable, now = new Date()): Promise<NotebookId[]> {
  const rows = await db.query<{ notebook_id: NotebookId }>(
    `select p.notebook_id from publications p join notebooks n on n.id = p.notebook_id
      where p.schedule <> 'off' and p.visibility <> 'off' and n.deleted_at is null and p.next_refresh_at <= $1
      order by p.next_refresh_at limit 20`,
    [now]
  );
  return rows.map((r) => r.notebook_id);
}

/**
 * Claims a due scheduled refresh: moves its next time on before it runs, so a refresh that takes the process
 * down is not retried at once after every restart, and two servers do not both run it. The next time is
 * next-run.ts's for the row's schedule; the SQL only picks it.
 */
export async function claimDue(db: Queryable, notebookId: NotebookId, now = new Date()): Promise<boolean> {
  const rows = await db.query(
    // $3 is text, not jsonb: postgres.js would send a string given for a jsonb parameter as a JSON string.
    `update publications set next_refresh_at = ($3::text::jsonb ->> schedule)::timestamptz
      where notebook_id = $1 and schedule <> 'off' and next_refresh_at <= $2 returning notebook_id`,
    [notebookId, now, nextRunsJson(now)]
  );
  return rows.length === 1;
}

export async function refreshDue(db: Db, deps: SnapshotDeps, now = new Date()): Promise<number> {
  const due = await dueRefreshes(db, now);
  for (const notebookId of due)
    if (await claimDue(db, notebookId, now))
      await refreshPublication(db, deps, notebookId, { scheduled: true });
  return due.length;
}

export function startRefreshSchedule(
  getDb: () => Promise<Db>,
  deps: SnapshotDeps,
  everyMs = 60_000
): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void getDb()
      .then((db) => refreshDue(db, deps))
      .catch((e) => console.error('publish: scheduled refresh failed:', e))
      .finally(() => (busy = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
