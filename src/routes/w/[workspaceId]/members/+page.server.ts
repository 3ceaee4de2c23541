import { getDb } from '$server/db/instance';
import { actionFailure, pageError } from '$server/http/respond';
import { formFields } from '$server/validate';
import { createInvite, listInvites, revokeInvite } from '$server/workspaces/invites';
import {
  changeRole,
  getWorkspace,
  listMembers,
  memberIdParam,
  removeMember
} from '$server/workspaces/workspaces';
import { workspaceIdParam } from '$server/ids';
import { requireUser } from '$lib/server/guard';

export async function load({ locals, params, url }) {
  const user = requireUser(locals, url);
  const db = await getDb();
  try {
    const workspaceId = workspaceIdParam(params.workspaceId);
    const workspace = await getWorkspace(db, user.id, workspaceId);
    const members = await listMembers(db, user.id, workspaceId);
    // Only owners may make or revoke links, so only they see them.
    const invites = workspace.role === 'owner' ? await listInvites(db, user.id, workspaceId) : [];
    return { workspace, members, invites, me: user.id };
  } catch (e) {
    pageError(e);
  }
}

export const actions = {
  invite: async ({ locals, params, request, url }) => {
    const user = requireUser(locals, url);
    const fields = formFields(await request.formData());
    try {
      const invite = await createInvite(await getDb(), user.id, workspaceIdParam(params.workspaceId), fields);
      return { inviteUrl: `${url.origin}/invite/${invite.token}`, inviteRole: invite.role };
    } catch (e) {
      return actionFailure(e, fields);
    }
  },
  revoke: async ({ locals, params, request, url }) => {
    const user = requireUser(locals, url);
    const fields = formFields(await request.formData());
    try {
      await revokeInvite(await getDb(), user.id, workspaceIdParam(params.workspaceId), fields);
      return { revokedInvite: fields.inviteId };
    } catch (e) {
      return actionFailure(e, fields);
    }
  },
  role: async ({ locals, params, request, url }) => {
    const user = requireUser(locals, url);
    const fields = formFields(await request.formData());
    try {
      await changeRole(await getDb(), user.id, workspaceIdParam(params.workspaceId), fields);
      return { changed: fields.userId };
    } catch (e) {
      return actionFailure(e, fields);
    }
  },
  remove: async ({ locals, params, request, url }) => {
    const user = requireUser(locals, url);
    const fields = formFields(await request.formData());
    try {
      const workspaceId = workspaceIdParam(params.workspaceId);
      await removeMember(await getDb(), user.id, workspaceId, memberIdParam(fields.userId));
      return { removed: fields.userId };
    } catch (e) {
      return actionFailure(e, fields);
    }
  }
};
