// The publish panel's deliveries section: subscriptions, alerts and (editors) the delivery log of a dashboard.
import { json } from '@sveltejs/kit';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';
import { deliveriesPanel } from '$server/deliveries/panel';
import { AppError } from '$server/errors';
import { apiError } from '$server/http/respond';
import { notebookIdParam } from '$server/ids';

export async function GET({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to manage deliveries.');
    const panel = await deliveriesPanel(
      await getDb(),
      loadConfig().dataDir,
      locals.user.id,
      notebookIdParam(params.notebookId)
    );
    return json(panel, { headers: { 'cache-control': 'private, no-store' } });
  } catch (e) {
    return apiError(e);
  }
}
