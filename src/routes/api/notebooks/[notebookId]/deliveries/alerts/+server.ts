// A new alert on one of the dashboard's numbers or tables; its creator is subscribed to it by email.
import { json } from '@sveltejs/kit';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';
import { createAlert } from '$server/deliveries/alerts';
import { AppError } from '$server/errors';
import { jsonBody } from '$server/http/json-body';
import { apiError } from '$server/http/respond';
import { notebookIdParam } from '$server/ids';

export async function POST({ locals, params, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to set an alert.');
    const notebookId = notebookIdParam(params.notebookId);
    const alert = await createAlert(
      await getDb(),
      loadConfig().dataDir,
      locals.user.id,
      notebookId,
      await jsonBody(request)
    );
    return json(alert, { status: 201 });
  } catch (e) {
    return apiError(e);
  }
}
