// Route-side guard: pages that need a user send everyone else to the login page, coming back afterwards.
import { redirect } from '@sveltejs/kit';

export function requireUser(locals: App.Locals, url: URL) {
  if (!locals.user || !locals.session) {
    const next = url.pathname + url.search;
    redirect(303, `/login?next=${encodeURIComponent(next)}`);
  }
  return locals.user;
}

/** Only same-site paths are followed after login, so a crafted link cannot bounce users elsewhere. */
export function safeNext(next: string | null | undefined, fallback = '/'): string {
  // Browsers drop tabs and newlines from URLs and read backslashes as slashes ("/\t/evil.test" → //evil.test),
  // so such characters are refused outright, and what is left must resolve to our own origin.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is being refused
  if (!next || !next.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  const base = 'http://sheaf.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  return url.pathname + url.search + url.hash;
}
