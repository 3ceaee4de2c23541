// Scheduled refreshes: once a minute the server refreshes dashboards whose hourly or daily refresh is due, one
// after another (each re-runs queries on databases and native DuckDB; running them side by side would only
// compete for the same memory). A failure is recorded on the dashboard by refreshPublication.
import type { Db } from '../db/types';
import { claimDue, dueRefreshes, refreshPublication } from './publications';
import type { SnapshotDeps } from './snapshot';

export async function refreshDue(db: Db, deps: SnapshotDeps, now = new Date()): Promise<number> {
  const due = await dueRefreshes(db, now);
  for (const notebookId of due)
    if (await claimDue(db, notebookId, now)) await refreshPublication(db, deps, notebookId);
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
