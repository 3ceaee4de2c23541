import { redirect } from '@sveltejs/kit';
import { clearSessionCookie, cookieIsSecure } from '$server/auth/cookie';
import { invalidateSession } from '$server/auth/session';
import { accessChanged } from '$server/workspaces/access-changes';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';

export function load() {
  redirect(303, '/');
}

export const actions = {
  default: async ({ locals, cookies, url }) => {
    if (locals.session) await invalidateSession(await getDb(), locals.session.id);
    if (locals.user) accessChanged(locals.user.id); // its open notebooks close now, not at the next check
    clearSessionCookie(cookies, cookieIsSecure(url.hostname, loadConfig().cookieSecure));
    redirect(303, '/login');
  }
};
