import { getDb } from '$server/db/instance';
import { listWorkspaces } from '$server/workspaces/workspaces';

export async function load({ locals }) {
  if (!locals.user) return { user: null, workspaces: [] };
  return { user: locals.user, workspaces: await listWorkspaces(await getDb(), locals.user.id) };
}
