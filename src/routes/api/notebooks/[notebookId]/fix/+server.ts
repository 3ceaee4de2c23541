// Ask the assistant to fix a failing query (editors): returns the corrected SQL and what was wrong.
import { json } from '@sveltejs/kit';
import { startAssist } from '$server/ai/assist';
import { FixRequestSchema, fixQuery } from '$server/ai/fix';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';
import { AppError, invalid } from '$server/errors';
import { jsonBody } from '$server/http/json-body';
import { apiError } from '$server/http/respond';

export async function POST({ locals, params, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to use the assistant.');
    const body = FixRequestSchema.safeParse(await jsonBody(request));
    if (!body.success) throw invalid(body.error.issues[0]?.message ?? 'Invalid request.');
    const db = await getDb();
    const config = loadConfig();
    const userId = locals.user.id;
    const { workspaceId, title } = await startAssist(db, config.ai, {
      userId,
      notebookId: params.notebookId
    });
    return json(
      await fixQuery(db, config, { ...body.data, userId, notebookId: params.notebookId, workspaceId, title })
    );
  } catch (e) {
    return apiError(e);
  }
}
