// Invitation links: an owner makes a link carrying a role; whoever opens it while logged in joins with that role.
import { z } from 'zod';
import type { Queryable } from '../db/types';
import { AppError } from '../errors';
import { hashToken, newToken } from '../ids';
import { parseInput } from '../validate';
import { requireWorkspaceRole, roleIn } from './access';
import type { Role } from './roles';

const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const CreateInviteSchema = z.object({
  role: z.enum(['editor', 'viewer'], { error: 'Invite people as an editor or a viewer.' })
});

export async function createInvite(
  db: Queryable,
  actorId: string,
  workspaceId: string,
  input: unknown,
  now = new Date()
): Promise<{ token: string; role: Role; expiresAt: Date }> {
  const { role } = parseInput(CreateInviteSchema, input);
  await requireWorkspaceRole(db, actorId, workspaceId, 'owner');
  const token = newToken();
  const expiresAt = new Date(now.getTime() + INVITE_TTL_MS);
  await db.query(
    'insert into invites (id, workspace_id, role, created_by, expires_at) values ($1, $2, $3, $4, $5)',
    [hashToken(token), workspaceId, role, actorId, expiresAt]
  );
  return { token, role, expiresAt };
}

export type InvitePreview = { workspaceId: string; workspaceName: string; role: Role; invitedBy: string };

export async function previewInvite(db: Queryable, token: string, now = new Date()): Promise<InvitePreview> {
  const rows = await db.query<InvitePreview & { expiresAt: Date }>(
    `select i.workspace_id as "workspaceId", w.name as "workspaceName", i.role, u.name as "invitedBy",
            i.expires_at as "expiresAt"
       from invites i join workspaces w on w.id = i.workspace_id join users u on u.id = i.created_by
      where i.id = $1`,
    [hashToken(token)]
  );
  const row = rows[0];
  if (!row || new Date(row.expiresAt).getTime() <= now.getTime()) {
    throw new AppError('not_found', 'This invitation link is not valid or has expired. Ask for a new one.');
  }
  return {
    workspaceId: row.workspaceId,
    workspaceName: row.workspaceName,
    role: row.role,
    invitedBy: row.invitedBy
  };
}

/** Joins the workspace; an existing member keeps the higher of the two roles. Returns the workspace id. */
export async function acceptInvite(db: Queryable, userId: string, token: string, now = new Date()) {
  const invite = await previewInvite(db, token, now);
  const existing = await roleIn(db, userId, invite.workspaceId);
  if (!existing) {
    await db.query('insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)', [
      invite.workspaceId,
      userId,
      invite.role
    ]);
  } else if (existing === 'viewer' && invite.role === 'editor') {
    await db.query(`update memberships set role = 'editor' where workspace_id = $1 and user_id = $2`, [
      invite.workspaceId,
      userId
    ]);
  }
  return invite.workspaceId;
}

export async function revokeInvites(db: Queryable, actorId: string, workspaceId: string): Promise<void> {
  await requireWorkspaceRole(db, actorId, workspaceId, 'owner');
  await db.query('delete from invites where workspace_id = $1', [workspaceId]);
}
