// Which people changed which cells between a version and the one before it (viewers).
import { json } from '@sveltejs/kit';
import { versionChanges } from '$server/authors/authors';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { notebookIdParam } from '$server/ids';
import { apiError } from '$server/http/respond';
import { versionIdParam } from '$server/versions/versions';

export async function GET({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to see this notebook’s history.');
    const notebookId = notebookIdParam(params.notebookId);
    const versionId = versionIdParam(params.versionId);
    return json(await versionChanges(await getDb(), locals.user.id, notebookId, versionId));
  } catch (e) {
    return apiError(e);
  }
}
