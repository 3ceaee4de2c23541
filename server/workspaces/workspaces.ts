// Workspaces and their members.
import type { Queryable } from '../db/types';
import { AppError } from '../errors';
import { newWorkspaceId, parseId, UserIdSchema, type UserId, type WorkspaceId } from '../ids';
import { accessChanged } from './access-changes';
import { parseInput } from '../validate';
import { requireWorkspaceRole } from './access';
import { RoleSchema, type Role } from './roles';
import { z } from 'zod';

export type WorkspaceSummary = { id: WorkspaceId; name: string; role: Role; personal: boolean };
export type Member = { userId: UserId; email: string; name: string; role: Role };

export async function createPersonalWorkspace(
  db: Queryable,
  user: { id: UserId; name: string }
): Promise<WorkspaceId> {
  const id = newWorkspaceId();
  await db.query('insert into workspaces (id, name, personal_of) values ($1, $2, $3)', [
    id,
    `${user.name}'s workspace`,
    user.id
  ]);
  await db.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'owner')`, [
    id,
    user.id
  ]);
  return id;
}

export async function listWorkspaces(db: Queryable, userId: UserId): Promise<WorkspaceSummary[]> {
  const rows = await db.query<WorkspaceSummary>(
    `select w.id, w.name, m.role, (w.personal_of = $1) as personal
       from workspaces w join memberships m on m.workspace_id = w.id
      where m.user_id = $1
      order by (w.personal_of = $1) desc nulls last, w.name`,
    [userId]
  );
  return rows.map((r) => ({ ...r, personal: r.personal === true }));
}

export async function getWorkspace(db: Queryable, userId: UserId, workspaceId: WorkspaceId) {
  const role = await requireWorkspaceRole(db, userId, workspaceId, 'viewer');
  const rows = await db.query<{ id: WorkspaceId; name: string }>(
    'select id, name from workspaces where id = $1',
    [workspaceId]
  );
  return { ...rows[0]!, role };
}

export async function listMembers(
  db: Queryable,
  userId: UserId,
  workspaceId: WorkspaceId
): Promise<Member[]> {
  await requireWorkspaceRole(db, userId, workspaceId, 'viewer');
  return db.query<Member>(
    `select u.id as "userId", u.email, u.name, m.role
       from memberships m join users u on u.id = m.user_id
      where m.workspace_id = $1
      order by case m.role when 'owner' then 0 when 'editor' then 1 else 2 end, u.name`,
    [workspaceId]
  );
}

const ChangeRoleSchema = z.object({ userId: z.string().min(1), role: RoleSchema });
const notMember = () => new AppError('not_found', 'That person is not a member of this workspace.');

/** A member's id from a form: one that cannot be a user's is nobody's membership. */
export const memberIdParam = (v: unknown): UserId => parseId(UserIdSchema, v, notMember);

export async function changeRole(
  db: Queryable,
  actorId: UserId,
  workspaceId: WorkspaceId,
  input: unknown
): Promise<void> {
  const { userId: given, role } = parseInput(ChangeRoleSchema, input);
  await requireWorkspaceRole(db, actorId, workspaceId, 'owner');
  const userId = memberIdParam(given);
  const current = await db.query<{ role: Role }>(
    'select role from memberships where workspace_id = $1 and user_id = $2',
    [workspaceId, userId]
  );
  if (!current[0]) throw notMember();
  if (current[0].role === 'owner' && role !== 'owner') await ensureAnotherOwner(db, workspaceId, userId);
  await db.query('update memberships set role = $3 where workspace_id = $1 and user_id = $2', [
    workspaceId,
    userId,
    role
  ]);
  accessChanged(userId);
}

export async function removeMember(
  db: Queryable,
  actorId: UserId,
  workspaceId: WorkspaceId,
  userId: UserId
): Promise<void> {
  if (actorId !== userId) await requireWorkspaceRole(db, actorId, workspaceId, 'owner');
  const current = await db.query<{ role: Role }>(
    'select role from memberships where workspace_id = $1 and user_id = $2',
    [workspaceId, userId]
  );
  if (!current[0]) throw notMember();
  if (current[0].role === 'owner') await ensureAnotherOwner(db, workspaceId, userId);
  await db.query('delete from memberships where workspace_id = $1 and user_id = $2', [workspaceId, userId]);
  accessChanged(userId);
}

async function ensureAnotherOwner(db: Queryable, workspaceId: WorkspaceId, userId: UserId) {
  const others = await db.query(
    `select 1 from memberships where workspace_id = $1 and role = 'owner' and user_id <> $2 limit 1`,
    [workspaceId, userId]
  );
  if (others.length === 0) {
    throw new AppError('conflict', 'A workspace needs at least one owner. Make someone else an owner first.');
  }
}
