import { redirect } from '@sveltejs/kit';
import { getDb } from '$server/db/instance';
import { actionFailure, pageError } from '$server/http/respond';
import { acceptInvite, previewInvite } from '$server/workspaces/invites';
import { requireUser } from '$lib/server/guard';

export async function load({ locals, params, url }) {
  requireUser(locals, url);
  try {
    return { invite: await previewInvite(await getDb(), params.token) };
  } catch (e) {
    pageError(e);
  }
}

export const actions = {
  default: async ({ locals, params, url }) => {
    const user = requireUser(locals, url);
    let workspaceId;
    try {
      workspaceId = await acceptInvite(await getDb(), user.id, params.token);
    } catch (e) {
      return actionFailure(e);
    }
    redirect(303, `/w/${workspaceId}`);
  }
};
