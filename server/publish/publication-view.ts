// What people are shown of a publication, built from its row: its status in the notebook (for its members) and the
// dashboard page (for anyone let in). Kept apart from the SQL so the row's columns never reach a page as they are,
// and from the access rules, which decide what the page may say (dashboard-access.ts).
import type { PublishedDashboard, Schedule, Visibility } from '../../cells/published';
import type { PublicationRow } from './publication-store';

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

export type DashboardPage = {
  dashboard: PublishedDashboard;
  /** The snapshot shown: base tables are read under it (/d/<slug>/snapshots/<id>/<file>). */
  snapshotId: string;
  refreshedAt: string | null;
  refreshError: string | null;
  refreshFailedAt: string | null;
  schedule: Schedule;
  canRefresh: boolean;
  canFork: boolean;
};

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function statusOf(r: PublicationRow): PublicationStatus {
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

/** The page around a snapshot's dashboard; what the reader may do and read is decided by the caller. */
export function dashboardPage(
  r: PublicationRow,
  snapshotId: string,
  dashboard: PublishedDashboard,
  reader: { canRefresh: boolean; canFork: boolean; readsRefreshError: boolean }
): DashboardPage {
  return {
    dashboard,
    snapshotId,
    refreshedAt: iso(r.refreshed_at),
    refreshError:
      r.refresh_error && !reader.readsRefreshError
        ? 'The data could not be refreshed; the dashboard’s editors can see why.'
        : r.refresh_error,
    refreshFailedAt: iso(r.refresh_failed_at),
    schedule: r.schedule,
    canRefresh: reader.canRefresh,
    canFork: reader.canFork
  };
}
