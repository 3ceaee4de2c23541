// Who may see, refresh and fork a published dashboard, and read why its refresh failed: one set of rules, so the
// page, its chart rows, the refresh button and forking cannot disagree. A link that is off, never built or whose
// notebook is in the trash answers "not found"; a members-only link asks a stranger to log in and tells other
// accounts nothing exists.
import type { Queryable } from '../db/types';
import { AppError, notFound } from '../errors';
import type { UserId } from '../ids';
import { roleIn } from '../workspaces/access';
import { atLeast, type Role } from '../workspaces/roles';
import { publicationBySlug, type PublicationHead, type PublicationRow } from './publication-store';

export type DashboardAccess = { row: PublicationRow; memberRole: Role | null };

/** The publication behind a link that is on, for anyone; who may look is dashboardAccess's question. */
export async function liveBySlug(db: Queryable, slug: string): Promise<PublicationRow> {
  const row = await publicationBySlug(db, slug);
  if (!row || row.visibility === 'off' || !row.snapshot_id) throw notFound('That dashboard');
  return row;
}

/** Who may look: anyone for a public link; members of the notebook's workspace otherwise. */
export async function dashboardAccess(
  db: Queryable,
  slug: string,
  userId: UserId | null
): Promise<DashboardAccess> {
  const row = await liveBySlug(db, slug);
  return { row, memberRole: await memberRoleFor(db, row, userId) };
}

/** The rule itself, for a row already read (a live one: on, with a snapshot): the reader's role, or a refusal. */
export async function memberRoleFor(
  db: Queryable,
  row: Pick<PublicationHead, 'visibility' | 'workspace_id'>,
  userId: UserId | null
): Promise<Role | null> {
  const memberRole = userId ? await roleIn(db, userId, row.workspace_id) : null;
  if (row.visibility === 'members' && !memberRole) {
    if (!userId) throw new AppError('unauthorized', 'Log in to see this dashboard.');
    throw notFound('That dashboard');
  }
  return memberRole;
}

/**
 * The notebook's editors refresh by hand, and they alone read why a refresh failed: the reason may quote a
 * database's message.
 */
export const editsIt = (a: DashboardAccess): boolean => !!a.memberRole && atLeast(a.memberRole, 'editor');

/** Members may copy it; others (signed in) only a public dashboard whose author allows it. */
export const mayFork = (a: DashboardAccess): boolean =>
  !!a.memberRole || (a.row.allow_fork && a.row.visibility === 'public');

/** The frozen document and who may fork it (forks of a dashboard copy what was published). */
export async function forkableDashboard(db: Queryable, slug: string, userId: UserId) {
  const access = await dashboardAccess(db, slug, userId);
  if (!mayFork(access))
    throw new AppError('forbidden', 'The author of this dashboard does not let others copy it.');
  const { row } = access;
  return {
    notebookId: row.notebook_id,
    workspaceId: row.workspace_id,
    docState: new Uint8Array(row.doc_state),
    showSql: row.show_sql
  };
}
