import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { clearSessionCookie, cookieIsSecure, setSessionCookie } from '$server/auth/cookie';
import { SESSION_COOKIE, validateSessionToken } from '$server/auth/session';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';

const config = loadConfig();

export const init: ServerInit = async () => {
  await getDb(config);
};

export const handle: Handle = async ({ event, resolve }) => {
  event.locals.user = null;
  event.locals.session = null;
  const token = event.cookies.get(SESSION_COOKIE);
  if (token) {
    const secure = cookieIsSecure(event.url.hostname, config.cookieSecure);
    const result = await validateSessionToken(await getDb(config), token);
    if (result.session) {
      event.locals.user = result.user;
      event.locals.session = result.session;
      if (result.renewed) setSessionCookie(event.cookies, token, result.session.expiresAt, secure);
    } else {
      clearSessionCookie(event.cookies, secure);
    }
  }
  const response = await resolve(event);
  response.headers.set('x-content-type-options', 'nosniff');
  response.headers.set('referrer-policy', 'same-origin');
  if (!response.headers.has('x-frame-options')) response.headers.set('x-frame-options', 'SAMEORIGIN');
  return response;
};

export const handleError: HandleServerError = ({ error, status, message }) => {
  if (status >= 500) {
    console.error(error);
    return { message: 'Something went wrong on our side. It has been logged; please try again.' };
  }
  return { message };
};
