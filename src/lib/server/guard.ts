// Route-side guard: pages that need a user send everyone else to the login page, coming back afterwards.
import { redirect } from '@sveltejs/kit';

export function requireUser(locals: App.Locals, url: URL) {
  if (!locals.user || !locals.session) {
    const next = url.pathname + url.search;
    redirect(303, `/login?next=${encodeURIComponent(next)}`);
  }
  return locals.user;
}

const BASE = 'http://sheaf.invalid';

/** Only same-site paths are followed after login, so a crafted link cannot bounce users elsewhere. */
export function safeNext(next: string | null | undefined, fallback = '/'): string {
  // Browsers drop tabs and newlines from URLs and read backslashes as slashes ("/\t/evil.test" → //evil.test),
  // so such characters are refused outright, and what is left must resolve to our own origin.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is being refused
  if (!next || !next.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  // What we send is the normalised path, so it is what must be checked: dot segments ("/.//x", "/%2e%2e//x")
  // collapse into "//x", which a browser reads as another host. Encoded slashes and backslashes are refused
  // too: a proxy or a later redirect that decodes them would make "//" again.
  const path = url.pathname;
  if (path.startsWith('//') || /%(2f|5c)/i.test(path)) return fallback;
  const out = path + url.search + url.hash;
  // Belt and braces: the answer must be a fixed point, i.e. read the same way again by whoever follows it.
  const again = new URL(out, BASE);
  if (again.origin !== BASE || again.pathname !== path) return fallback;
  return out;
}
