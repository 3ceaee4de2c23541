// A notebook's comment threads and its workspace's members (GET), and a new thread on a cell (POST). Any member
// may comment, viewers included; non-members get 404.
import { json } from '@sveltejs/kit';
import { listComments, startThread } from '$server/comments/comments';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { jsonBody } from '$server/http/json-body';
import { apiError } from '$server/http/respond';
import { notebookIdParam } from '$server/ids';

export async function GET({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to read comments.');
    const notebookId = notebookIdParam(params.notebookId);
    return json(await listComments(await getDb(), locals.user.id, notebookId));
  } catch (e) {
    return apiError(e);
  }
}

export async function POST({ locals, params, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to comment.');
    const notebookId = notebookIdParam(params.notebookId);
    const body = await jsonBody(request);
    return json(await startThread(await getDb(), locals.user.id, notebookId, body), { status: 201 });
  } catch (e) {
    return apiError(e);
  }
}
