// Ask the assistant to fix a failing query (editors): returns the corrected SQL and what was wrong.
import { json } from '@sveltejs/kit';
import { reserveRequest } from '$server/ai/requests';
import { FixRequestSchema, fixQuery } from '$server/ai/fix';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';
import { AppError, invalid } from '$server/errors';
import { notebookIdParam } from '$server/ids';
import { jsonBody } from '$server/http/json-body';
import { requestGone } from '$server/http/request-gone';
import { apiError } from '$server/http/respond';

export async function POST({ locals, params, request, platform }) {
  const gone = requestGone(request, platform);
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to use the assistant.');
    const body = FixRequestSchema.safeParse(await jsonBody(request));
    if (!body.success) throw invalid(body.error.issues[0]?.message ?? 'Invalid request.');
    const db = await getDb();
    const config = loadConfig();
    const userId = locals.user.id;
    const req = await reserveRequest(db, config.ai, {
      userId,
      notebookId: notebookIdParam(params.notebookId),
      kind: 'fix'
    });
    return json(await fixQuery(db, config, req, body.data, gone.signal));
  } catch (e) {
    return apiError(e);
  } finally {
    gone.done();
  }
}
