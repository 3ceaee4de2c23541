// Who may do what: every workspace and notebook lookup goes through here.
// Non-members get "not found" (not "forbidden") so they cannot learn what exists.
import type { Queryable } from '../db/types';
import { forbidden, notFound } from '../errors';
import type { NotebookId, UserId, WorkspaceId } from '../ids';
import { atLeast, type Role } from './roles';

const VERB: Record<Role, string> = {
  viewer: 'view',
  editor: 'edit',
  owner: 'manage'
};

export async function roleIn(db: Queryable, userId: UserId, workspaceId: WorkspaceId): Promise<Role | null> {
  const rows = await db.query<{ role: Role }>(
    'select role from memberships where workspace_id = $1 and user_id = $2',
    [workspaceId, userId]
  );
  return rows[0]?.role ?? null;
}

/** The caller's role, if it is at least `needed`; otherwise a not-found or forbidden AppError. */
export async function requireWorkspaceRole(
  db: Queryable,
  userId: UserId,
  workspaceId: WorkspaceId,
  needed: Role
): Promise<Role> {
  const role = await roleIn(db, userId, workspaceId);
  if (!role) throw notFound('That workspace');
  if (!atLeast(role, needed)) {
    throw forbidden(
      `You are a ${role} in this workspace; only ${needed}s and above can ${VERB[needed]} here.`
    );
  }
  return role;
}

export type NotebookAccess = {
  notebook: { id: NotebookId; workspaceId: WorkspaceId; title: string; deletedAt: Date | null };
  role: Role;
};

export async function requireNotebookRole(
  db: Queryable,
  userId: UserId,
  notebookId: NotebookId,
  needed: Role,
  opts: { allowDeleted?: boolean } = {}
): Promise<NotebookAccess> {
  const rows = await db.query<{
    id: NotebookId;
    workspace_id: WorkspaceId;
    title: string;
    deleted_at: Date | null;
    role: Role;
  }>(
    `select n.id, n.workspace_id, n.title, n.deleted_at, m.role
       from notebooks n join memberships m on m.workspace_id = n.workspace_id and m.user_id = $2
      where n.id = $1`,
    [notebookId, userId]
  );
  const row = rows[0];
  if (!row || (row.deleted_at && !opts.allowDeleted)) throw notFound('That notebook');
  if (!atLeast(row.role, needed)) {
    throw forbidden(
      `You are a ${row.role} of this notebook's workspace; only ${needed}s can ${VERB[needed]} it.`
    );
  }
  return {
    notebook: { id: row.id, workspaceId: row.workspace_id, title: row.title, deletedAt: row.deleted_at },
    role: row.role
  };
}
