import { redirect } from '@sveltejs/kit';
import { clearSessionCookie, cookieIsSecure } from '$server/auth/cookie';
import { invalidateSession } from '$server/auth/session';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';

export function load() {
  redirect(303, '/');
}

export const actions = {
  default: async ({ locals, cookies, url }) => {
    if (locals.session) await invalidateSession(await getDb(), locals.session.id);
    clearSessionCookie(cookies, cookieIsSecure(url.hostname, loadConfig().cookieSecure));
    redirect(303, '/login');
  }
};
