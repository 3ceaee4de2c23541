// Marks mentions of the caller as read (POST { commentIds }): the inbox's unread marker goes.
import { json } from '@sveltejs/kit';
import { markMentionsRead } from '$server/comments/mentions';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { jsonBody } from '$server/http/json-body';
import { apiError } from '$server/http/respond';

export async function POST({ locals, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in first.');
    await markMentionsRead(await getDb(), locals.user.id, await jsonBody(request));
    return json({ ok: true });
  } catch (e) {
    return apiError(e);
  }
}
