import { redirect } from '@sveltejs/kit';
import { getDb } from '$server/db/instance';
import { actionFailure, pageError } from '$server/http/respond';
import { acceptInvite, previewInvite } from '$server/workspaces/invites';
import { requireUser } from '$lib/server/guard';

export async function load({ locals, params, url }) {
  let invite;
  try {
    invite = await previewInvite(await getDb(), params.token);
  } catch (e) {
    // A dead link says so before asking anyone to log in or sign up for nothing.
    pageError(e);
  }
  requireUser(locals, url);
  return { invite };
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
