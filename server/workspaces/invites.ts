// Invitation links: an owner makes a link carrying a role; whoever opens it while logged in joins with that role,
// until it expires or an owner revokes it. Only the token's SHA-256 is stored, so a made link cannot be shown again.
import { z } from 'zod';
import type { Queryable } from '../db/types';
import { AppError } from '../errors';
import { hashToken, newToken, type UserId, type WorkspaceId } from '../ids';
import { parseInput } from '../validate';
import { requireWorkspaceRole, roleIn } from './access';
import type { Role } from './roles';

const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const CreateInviteSchema = z.object({
  role: z.enum(['editor', 'viewer'], { error: 'Invite people as an editor or a viewer.' })
});

export async function createInvite(
  db: Queryable,
  actorId: UserId,
  workspaceId: WorkspaceId,
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

export type InvitePreview = {
  workspaceId: WorkspaceId;
  workspaceName: string;
  role: Role;
  invitedBy: string;
};

const DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC'
});

export async function previewInvite(db: Queryable, token: string, now = new Date()): Promise<InvitePreview> {
  const rows = await db.query<InvitePreview & { expiresAt: Date; revokedAt: Date | null }>(
    `select i.workspace_id as "workspaceId", w.name as "workspaceName", i.role, u.name as "invitedBy",
            i.expires_at as "expiresAt", i.revoked_at as "revokedAt"
       from invites i join workspaces w on w.id = i.workspace_id join users u on u.id = i.created_by
      where i.id = $1`,
    [hashToken(token)]
  );
  const row = rows[0];
  // Each message says why, so the person knows whether asking again makes sense. Nothing here names the
  // workspace: this runs before login for whoever holds the link.
  if (!row) {
    throw new AppError(
      'not_found',
      'This invitation link is not valid. Check that you have the whole link, or ask for a new one.'
    );
  }
  if (row.revokedAt) {
    throw new AppError(
      'not_found',
      'This invitation link has been revoked and no longer works. If you still need access, ask the person ' +
        'who invited you.'
    );
  }
  if (new Date(row.expiresAt).getTime() <= now.getTime()) {
    throw new AppError(
      'not_found',
      `This invitation link expired on ${DATE.format(new Date(row.expiresAt))} and no longer works. ` +
        'Ask the person who invited you for a new one.'
    );
  }
  return {
    workspaceId: row.workspaceId,
    workspaceName: row.workspaceName,
    role: row.role,
    invitedBy: row.invitedBy
  };
}

/** Joins the workspace; an existing member keeps the higher of the two roles. Returns the workspace id. */
export async function acceptInvite(db: Queryable, userId: UserId, token: string, now = new Date()) {
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

export type ActiveInvite = { id: string; role: Role; createdAt: Date; expiresAt: Date; createdBy: string };

/** Links that still work, newest first, for the owners who may revoke them. */
export async function listInvites(
  db: Queryable,
  actorId: UserId,
  workspaceId: WorkspaceId,
  now = new Date()
): Promise<ActiveInvite[]> {
  await requireWorkspaceRole(db, actorId, workspaceId, 'owner');
  const rows = await db.query<ActiveInvite>(
    `select i.id, i.role, i.created_at as "createdAt", i.expires_at as "expiresAt", u.name as "createdBy"
       from invites i join users u on u.id = i.created_by
      where i.workspace_id = $1 and i.revoked_at is null and i.expires_at > $2
      order by i.created_at desc, i.id`,
    [workspaceId, now]
  );
  return rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt), expiresAt: new Date(r.expiresAt) }));
}

const RevokeInviteSchema = z.object({
  // The id is the token's SHA-256: it names a link without being one.
  inviteId: z.string().regex(/^[0-9a-f]{64}$/, 'That invitation link was not found in this workspace.')
});

/** Revokes one link of this workspace. Revoking it twice (a double click) is not an error. */
export async function revokeInvite(
  db: Queryable,
  actorId: UserId,
  workspaceId: WorkspaceId,
  input: unknown,
  now = new Date()
): Promise<void> {
  const { inviteId } = parseInput(RevokeInviteSchema, input);
  await requireWorkspaceRole(db, actorId, workspaceId, 'owner');
  // workspace_id in the condition: an owner here cannot reach another workspace's link by its id.
  const rows = await db.query<{ revoked_at: Date | null }>(
    `update invites set revoked_at = coalesce(revoked_at, $3), revoked_by = coalesce(revoked_by, $4)
      where id = $1 and workspace_id = $2
      returning revoked_at`,
    [inviteId, workspaceId, now, actorId]
  );
  if (!rows[0]) throw new AppError('not_found', 'That invitation link was not found in this workspace.');
}

/** Revokes every link of the workspace. */
export async function revokeInvites(
  db: Queryable,
  actorId: UserId,
  workspaceId: WorkspaceId,
  now = new Date()
): Promise<void> {
  await requireWorkspaceRole(db, actorId, workspaceId, 'owner');
  await db.query(
    'update invites set revoked_at = $2, revoked_by = $3 where workspace_id = $1 and revoked_at is null',
    [workspaceId, now, actorId]
  );
}
