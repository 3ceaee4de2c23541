import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { clearSessionCookie, cookieIsSecure, setSessionCookie } from '$server/auth/cookie';
import { SESSION_COOKIE, validateSessionToken } from '$server/auth/session';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';
import { dashboardPage } from '$lib/server/dashboard-page';

const config = loadConfig();

export const init: ServerInit = async () => {
  await getDb(config);
};

/** Methods that change nothing; every other request must come from our own pages. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const handle: Handle = async ({ event, resolve }) => {
  // SvelteKit checks the origin of form posts only; a cross-site fetch with no body or a JSON body (e.g. a
  // schema refresh, which logs in to a database with stored credentials) would pass. Browsers always send Origin
  // on such requests, so a foreign one is refused for every route; clients that are not browsers send none.
  const origin = event.request.headers.get('origin');
  if (!SAFE_METHODS.has(event.request.method) && origin !== null && origin !== event.url.origin) {
    return new Response(
      JSON.stringify({
        error: { code: 'forbidden', message: 'Requests that change something must come from Sheaf itself.' }
      }),
      { status: 403, headers: { 'content-type': 'application/json' } }
    );
  }
  event.locals.user = null;
  event.locals.session = null;
  const token = event.cookies.get(SESSION_COOKIE);
  // Cookies set here reach the response only through `resolve`: a page served from the cache must not need any.
  let cookiesChange = false;
  if (token) {
    const secure = cookieIsSecure(event.url.hostname, config.cookieSecure);
    const result = await validateSessionToken(await getDb(config), token);
    if (result.session) {
      event.locals.user = result.user;
      event.locals.session = result.session;
      if (result.renewed) setSessionCookie(event.cookies, token, result.session.expiresAt, secure);
      cookiesChange = result.renewed;
    } else {
      clearSessionCookie(event.cookies, secure);
      cookiesChange = true;
    }
  }
  // Headers go on in `render` too, so that a dashboard page kept by the page cache carries them when sent again.
  const render = async () => secured(await resolve(event));
  return secured((!cookiesChange && (await dashboardPage(event, render))) || (await render()));
};

function secured(response: Response): Response {
  response.headers.set('x-content-type-options', 'nosniff');
  response.headers.set('referrer-policy', 'same-origin');
  if (!response.headers.has('x-frame-options')) response.headers.set('x-frame-options', 'SAMEORIGIN');
  return response;
}

export const handleError: HandleServerError = ({ error, status, message }) => {
  if (status >= 500) {
    console.error(error);
    return { message: 'Something went wrong on our side. It has been logged; please try again.' };
  }
  return { message };
};
