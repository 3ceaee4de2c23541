// Removing a subscription: the subscriber's own, or any of the dashboard's for its editors.
import { getDb } from '$server/db/instance';
import { removeSubscription } from '$server/deliveries/subscriptions';
import { AppError } from '$server/errors';
import { apiError } from '$server/http/respond';
import { notebookIdParam } from '$server/ids';

export async function DELETE({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to unsubscribe.');
    await removeSubscription(await getDb(), locals.user.id, notebookIdParam(params.notebookId), params.id);
    return new Response(null, { status: 204 });
  } catch (e) {
    return apiError(e);
  }
}
