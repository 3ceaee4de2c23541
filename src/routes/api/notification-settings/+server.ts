// The signed-in person's mail settings: whether comments that mention them or reply to them are emailed.
import { json } from '@sveltejs/kit';
import { getDb } from '$server/db/instance';
import { notificationSettings, saveNotificationSettings } from '$server/deliveries/notification-settings';
import { AppError } from '$server/errors';
import { jsonBody } from '$server/http/json-body';
import { apiError } from '$server/http/respond';

export async function GET({ locals }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to see your settings.');
    return json(await notificationSettings(await getDb(), locals.user.id));
  } catch (e) {
    return apiError(e);
  }
}

export async function PUT({ locals, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to change your settings.');
    return json(await saveNotificationSettings(await getDb(), locals.user.id, await jsonBody(request)));
  } catch (e) {
    return apiError(e);
  }
}
