import { redirect } from '@sveltejs/kit';
import { signUp } from '$server/auth/accounts';
import { signupLimiter } from '$server/auth/login-limiters';
import { cookieIsSecure, setSessionCookie } from '$server/auth/cookie';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';
import { actionFailure } from '$server/http/respond';
import { formFields } from '$server/validate';
import { safeNext } from '$lib/server/guard';

export function load({ locals, url }) {
  if (locals.user) redirect(303, '/');
  return { next: safeNext(url.searchParams.get('next'), '') };
}

export const actions = {
  default: async ({ request, cookies, url, getClientAddress }) => {
    const fields = formFields(await request.formData());
    let signedIn;
    try {
      const db = await getDb();
      signedIn = await signUp(db, fields, { limiter: signupLimiter(db), ip: getClientAddress() });
    } catch (e) {
      return actionFailure(e, { email: fields.email ?? '', name: fields.name ?? '' });
    }
    const secure = cookieIsSecure(url.hostname, loadConfig().cookieSecure);
    setSessionCookie(cookies, signedIn.token, signedIn.expiresAt, secure);
    redirect(303, safeNext(fields.next, `/w/${signedIn.workspaceId}`));
  }
};
