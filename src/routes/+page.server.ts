import { redirect } from '@sveltejs/kit';
import { getDb } from '$server/db/instance';
import { listWorkspaces } from '$server/workspaces/workspaces';

export async function load({ locals }) {
  if (!locals.user) redirect(303, '/login');
  const workspaces = await listWorkspaces(await getDb(), locals.user.id);
  const first = workspaces[0];
  if (!first) redirect(303, '/login');
  redirect(303, `/w/${first.id}`);
}
