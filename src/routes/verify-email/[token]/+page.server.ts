// The link in a verification mail: opening it, logged in or not (the token is the proof), verifies the address.
import { getDb } from '$server/db/instance';
import { confirmEmail } from '$server/deliveries/email-verification';
import { isAppError } from '$server/errors';

export async function load({ params, setHeaders }) {
  setHeaders({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  try {
    const { email } = await confirmEmail(await getDb(), params.token);
    return { verified: true as const, email };
  } catch (e) {
    if (!isAppError(e)) throw e;
    return { verified: false as const, message: e.message };
  }
}
