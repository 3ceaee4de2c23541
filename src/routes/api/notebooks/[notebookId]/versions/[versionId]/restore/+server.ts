// Restores a version, the whole notebook or one cell ({ cellId }), as new edits on the live document (editors).
// Answers with the version stored just before, which undoes the restore when restored in turn.
import { json } from '@sveltejs/kit';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { notebookIdParam } from '$server/ids';
import { jsonBody } from '$server/http/json-body';
import { apiError } from '$server/http/respond';
import { restoreVersion, versionIdParam } from '$server/versions/versions';

export async function POST({ locals, params, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to restore a version.');
    const notebookId = notebookIdParam(params.notebookId);
    const versionId = versionIdParam(params.versionId);
    const body = await jsonBody(request);
    return json(await restoreVersion(await getDb(), locals.user.id, notebookId, versionId, body));
  } catch (e) {
    return apiError(e);
  }
}
