// A published dashboard's page (GET|HEAD /d/<slug>) through the page cache: its identity is read fresh (access
// checked) on every request, then server/publish/page-cache.ts answers 304, a kept page, or this request's render.
// Anything the cache does not handle — a refused reader, a link that is off, a request whose cookies this response
// must change (a renewed or cleared session), client-side navigation's __data.json — renders as before.
import { version } from '$app/environment';
import type { RequestEvent } from '@sveltejs/kit';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';
import { cachedPage, pageCacheState } from '$server/publish/page-cache';
import { pageIdentity } from '$server/publish/page-key';

const PAGE = /^\/d\/([^/]+)$/;

export async function dashboardPage(
  event: RequestEvent,
  render: () => Promise<Response>
): Promise<Response | null> {
  const m = PAGE.exec(event.url.pathname);
  if (!m || event.isDataRequest || (event.request.method !== 'GET' && event.request.method !== 'HEAD'))
    return null;
  const config = loadConfig();
  if (config.pageCacheBytes <= 0) return null;
  let slug: string;
  try {
    slug = decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
  const identity = await pageIdentity(await getDb(config), {
    slug,
    user: event.locals.user,
    search: event.url.search,
    build: version
  }).catch(() => null); // the database's trouble: the page's own load meets and reports it
  if (!identity) return null;
  return cachedPage({
    cache: pageCacheState(config.pageCacheBytes, version).pages,
    identity,
    request: event.request,
    render,
    note: () => event.locals.pageRender
  });
}
