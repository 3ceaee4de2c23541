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
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}
