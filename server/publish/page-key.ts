// Which page a request for /d/<slug> would get, decided without rendering it: everything the page's HTML is made
// of — the snapshot, the publication's row (refresh status, schedule, visibility, forking), the URL's query (filter
// values), the app's build, and for a signed-in reader who they are, their role and their workspaces (the header
// names them) — hashed into one key. Same key, same bytes: so the key is the page cache's key and its ETag.
// Read fresh from the database on every request (one indexed row; two more for a signed-in reader), so a refresh,
// re-publish, unpublish or visibility change made on any server changes the key at once; nothing needs invalidating.
// The access rule runs here too: a reader it refuses gets no key, and the page itself answers as before.
import { createHash } from 'node:crypto';
import type { SessionUser } from '../auth/session';
import type { Queryable } from '../db/types';
import { listWorkspaces } from '../workspaces/workspaces';
import { memberRoleFor } from './dashboard-access';
import { publicationHeadBySlug } from './publication-store';

/**
 * How long a shared cache (a CDN) may keep a public dashboard's page for anonymous readers without asking us:
 * also how long an unpublish or a switch to members-only can take to reach readers behind one. Browsers always
 * revalidate (max-age=0), which costs a 304.
 */
export const SHARED_CACHE_SECONDS = 30;

export type PageIdentity = {
  /** The page cache's key: equal keys render equal bytes. */
  key: string;
  /** Quoted, for ETag and If-None-Match. */
  etag: string;
  snapshotId: string;
  cacheControl: string;
};

export type PageRequest = {
  slug: string;
  user: SessionUser | null;
  /** The URL's query as sent (`?region=south`, or ''): filter values change the page. */
  search: string;
  /** The app's build: a new build's page links other scripts, so a browser's copy from before must not match. */
  build: string;
};

/** Null when the link is off or gone, or the reader may not see it: the page's own load says how (404, login). */
export async function pageIdentity(db: Queryable, req: PageRequest): Promise<PageIdentity | null> {
  const row = await publicationHeadBySlug(db, req.slug);
  if (!row || row.visibility === 'off' || !row.snapshot_id) return null;
  let memberRole;
  try {
    memberRole = await memberRoleFor(db, row, req.user?.id ?? null);
  } catch {
    return null;
  }
  const reader = req.user
    ? { user: req.user, memberRole, workspaces: await listWorkspaces(db, req.user.id) }
    : 'anonymous';
  const parts = [
    'dashboard-page-v1',
    req.build,
    req.slug,
    req.search,
    row.snapshot_id,
    row.notebook_id,
    row.visibility,
    row.show_sql,
    row.allow_fork,
    row.schedule,
    time(row.published_at),
    time(row.refreshed_at),
    row.refresh_error,
    time(row.refresh_failed_at),
    reader
  ];
  const key = createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
  return {
    key,
    etag: `"${key.slice(0, 32)}"`,
    snapshotId: row.snapshot_id,
    cacheControl: cacheControlFor(row.visibility, !!req.user)
  };
}

/**
 * Anyone's copy may be kept of a public dashboard read anonymously (a CDN, for a short while); a signed-in
 * reader's page names them, so only their browser keeps it; a members-only page is kept nowhere but here (a
 * shared computer's browser cache would outlive the session).
 */
export function cacheControlFor(visibility: 'public' | 'members', signedIn: boolean): string {
  if (visibility === 'members') return 'private, no-store';
  if (signedIn) return 'private, no-cache';
  return `public, max-age=0, s-maxage=${SHARED_CACHE_SECONDS}`;
}

const time = (d: Date | null) => (d ? new Date(d).getTime() : null);
