// A notebook's versions: the list, newest first (viewers), and "Save version…" with a label (editors).
import { json } from '@sveltejs/kit';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { notebookIdParam } from '$server/ids';
import { jsonBody } from '$server/http/json-body';
import { apiError } from '$server/http/respond';
import { notebookVersions, saveNamedVersion } from '$server/versions/versions';

export async function GET({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to see this notebook’s history.');
    const notebookId = notebookIdParam(params.notebookId);
    return json({ versions: await notebookVersions(await getDb(), locals.user.id, notebookId) });
  } catch (e) {
    return apiError(e);
  }
}

export async function POST({ locals, params, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to save a version.');
    const notebookId = notebookIdParam(params.notebookId);
    const version = await saveNamedVersion(
      await getDb(),
      locals.user.id,
      notebookId,
      await jsonBody(request)
    );
    return json({ version }, { status: 201 });
  } catch (e) {
    return apiError(e);
  }
}
