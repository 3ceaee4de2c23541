import { redirect } from '@sveltejs/kit';
import { logIn } from '$server/auth/accounts';
import { cookieIsSecure, setSessionCookie } from '$server/auth/cookie';
import { DEVICE_COOKIE, setDeviceCookie } from '$server/auth/device-cookie';
import { loginLimiters } from '$server/auth/login-limiters';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';
import { actionFailure } from '$server/http/respond';
import { formFields } from '$server/validate';
import { safeNext } from '$lib/server/guard';

export function load({ locals, url }) {
  if (locals.user) redirect(303, safeNext(url.searchParams.get('next')));
  return { next: safeNext(url.searchParams.get('next'), '') };
}

export const actions = {
  default: async ({ request, cookies, url, locals, getClientAddress, setHeaders }) => {
    const fields = formFields(await request.formData());
    const db = await getDb();
    let signedIn;
    try {
      signedIn = await logIn(
        db,
        loginLimiters(db),
        fields,
        getClientAddress(),
        locals.session?.id,
        cookies.get(DEVICE_COOKIE)
      );
    } catch (e) {
      const retryAfterS = (e as { retryAfterS?: unknown }).retryAfterS;
      if (typeof retryAfterS === 'number') setHeaders({ 'retry-after': String(retryAfterS) });
      return actionFailure(e, { email: fields.email ?? '' });
    }
    const secure = cookieIsSecure(url.hostname, loadConfig().cookieSecure);
    setSessionCookie(cookies, signedIn.token, signedIn.expiresAt, secure);
    // This browser has now proved it knows the password: later attempts from it skip the shared limits.
    setDeviceCookie(cookies, signedIn.deviceCookie, secure);
    redirect(303, safeNext(fields.next ?? url.searchParams.get('next')));
  }
};
