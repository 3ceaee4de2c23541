// Asks for a link that verifies the signed-in person's address (mailed to it; see email-verification.ts).
import { json } from '@sveltejs/kit';
import { getDb } from '$server/db/instance';
import { kickDeliveries } from '$server/deliveries/kick';
import { requestVerification } from '$server/deliveries/email-verification';
import { AppError } from '$server/errors';
import { apiError } from '$server/http/respond';

export async function POST({ locals }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to verify your address.');
    const result = await requestVerification(await getDb(), locals.user.id);
    if (result.sent) kickDeliveries();
    return json(result);
  } catch (e) {
    return apiError(e);
  }
}
