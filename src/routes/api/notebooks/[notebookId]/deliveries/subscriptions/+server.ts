// Subscribing to a published dashboard: a member by email, an editor a chat webhook.
import { json } from '@sveltejs/kit';
import { loadConfig } from '$server/config';
import { appSecretBox } from '$server/connectors/secret-box';
import { getDb } from '$server/db/instance';
import { subscribe } from '$server/deliveries/panel';
import { AppError } from '$server/errors';
import { jsonBody } from '$server/http/json-body';
import { apiError } from '$server/http/respond';
import { notebookIdParam } from '$server/ids';

export async function POST({ locals, params, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to subscribe.');
    const notebookId = notebookIdParam(params.notebookId);
    const box = appSecretBox(loadConfig());
    return json(await subscribe(await getDb(), box, locals.user.id, notebookId, await jsonBody(request)), {
      status: 201
    });
  } catch (e) {
    return apiError(e);
  }
}
