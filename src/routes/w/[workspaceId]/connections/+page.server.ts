// The workspace's database connections, for editors and owners to add, test, edit and remove.
import { listConnections } from '$server/connectors/store';
import { getDb } from '$server/db/instance';
import { workspaceIdParam } from '$server/ids';
import { pageError } from '$server/http/respond';
import { getWorkspace } from '$server/workspaces/workspaces';
import { requireUser } from '$lib/server/guard';

export async function load({ locals, params, url }) {
  const user = requireUser(locals, url);
  const db = await getDb();
  try {
    const workspaceId = workspaceIdParam(params.workspaceId);
    const workspace = await getWorkspace(db, user.id, workspaceId);
    const { role, connections } = await listConnections(db, user.id, workspaceId);
    return { workspace, role, connections };
  } catch (e) {
    pageError(e);
  }
}
