// Removing an alert (its creator or an editor), or subscribing the caller to it.
import { getDb } from '$server/db/instance';
import { removeAlert, subscribeToAlert } from '$server/deliveries/alerts';
import { AppError } from '$server/errors';
import { apiError } from '$server/http/respond';
import { notebookIdParam } from '$server/ids';

export async function DELETE({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to remove an alert.');
    await removeAlert(await getDb(), locals.user.id, notebookIdParam(params.notebookId), params.id);
    return new Response(null, { status: 204 });
  } catch (e) {
    return apiError(e);
  }
}

export async function POST({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to subscribe to an alert.');
    await subscribeToAlert(await getDb(), locals.user.id, notebookIdParam(params.notebookId), params.id);
    return new Response(null, { status: 204 });
  } catch (e) {
    return apiError(e);
  }
}
