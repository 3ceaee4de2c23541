// Tells the notebook page, after its WebSocket was refused, whether the session ended or access was removed.
import { json } from '@sveltejs/kit';
import { getDb } from '$server/db/instance';
import { apiError } from '$server/http/respond';
import { AppError } from '$server/errors';
import { notebookIdParam } from '$server/ids';
import { requireNotebookRole } from '$server/workspaces/access';

export async function GET({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to open this notebook.');
    const notebookId = notebookIdParam(params.notebookId);
    const { role } = await requireNotebookRole(await getDb(), locals.user.id, notebookId, 'viewer');
    return json({ role });
  } catch (e) {
    return apiError(e);
  }
}
