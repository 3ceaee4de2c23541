import { getDb } from '$server/db/instance';
import { pageError } from '$server/http/respond';
import { requireNotebookRole } from '$server/workspaces/access';
import { canWrite } from '$server/workspaces/roles';
import { requireUser } from '$lib/server/guard';

export async function load({ locals, params, url }) {
  const user = requireUser(locals, url);
  try {
    const { notebook, role } = await requireNotebookRole(await getDb(), user.id, params.notebookId, 'viewer');
    return {
      notebook: { id: notebook.id, title: notebook.title, workspaceId: notebook.workspaceId },
      me: { id: user.id, name: user.name },
      role,
      canWrite: canWrite(role)
    };
  } catch (e) {
    pageError(e);
  }
}
