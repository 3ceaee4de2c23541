// Who last changed each cell, and when (viewers and up): recorded by the collaboration server from the edits it
// applied, so nobody can claim another's change.
import { json } from '@sveltejs/kit';
import { cellAuthors } from '$server/authors/authors';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { notebookIdParam } from '$server/ids';
import { apiError } from '$server/http/respond';

export async function GET({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to see this notebook.');
    const notebookId = notebookIdParam(params.notebookId);
    return json({ cells: await cellAuthors(await getDb(), locals.user.id, notebookId) });
  } catch (e) {
    return apiError(e);
  }
}
