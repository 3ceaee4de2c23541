// One comment: edit (PATCH { body }) or delete, by its author only.
import { json } from '@sveltejs/kit';
import { commentIdParam, deleteComment, editComment } from '$server/comments/comments';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { jsonBody } from '$server/http/json-body';
import { apiError } from '$server/http/respond';
import { notebookIdParam } from '$server/ids';

export async function PATCH({ locals, params, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to edit a comment.');
    const notebookId = notebookIdParam(params.notebookId);
    const commentId = commentIdParam(params.commentId);
    await editComment(await getDb(), locals.user.id, notebookId, commentId, await jsonBody(request));
    return json({ ok: true });
  } catch (e) {
    return apiError(e);
  }
}

export async function DELETE({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to delete a comment.');
    const notebookId = notebookIdParam(params.notebookId);
    const commentId = commentIdParam(params.commentId);
    await deleteComment(await getDb(), locals.user.id, notebookId, commentId);
    return json({ ok: true });
  } catch (e) {
    return apiError(e);
  }
}
