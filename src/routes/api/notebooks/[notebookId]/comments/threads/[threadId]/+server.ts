// One thread: a reply (POST { body }) and resolve or reopen (PATCH { resolved }), by any member.
import { json } from '@sveltejs/kit';
import { reply, setResolved, threadIdParam } from '$server/comments/comments';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { jsonBody } from '$server/http/json-body';
import { apiError } from '$server/http/respond';
import { notebookIdParam } from '$server/ids';

export async function POST({ locals, params, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to reply.');
    const notebookId = notebookIdParam(params.notebookId);
    const threadId = threadIdParam(params.threadId);
    await reply(await getDb(), locals.user.id, notebookId, threadId, await jsonBody(request));
    return json({ ok: true }, { status: 201 });
  } catch (e) {
    return apiError(e);
  }
}

export async function PATCH({ locals, params, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to resolve a thread.');
    const notebookId = notebookIdParam(params.notebookId);
    const threadId = threadIdParam(params.threadId);
    await setResolved(await getDb(), locals.user.id, notebookId, threadId, await jsonBody(request));
    return json({ ok: true });
  } catch (e) {
    return apiError(e);
  }
}
