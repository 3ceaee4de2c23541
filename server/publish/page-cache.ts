// Rendered dashboard pages, kept by page key (page-key.ts) so a popular dashboard is rendered once per snapshot
// rather than once per view. The request's identity is computed first, fresh from the database (the access check
// included); then: If-None-Match naming its ETag answers 304 without rendering; a kept page is sent as kept; else
// the page is rendered (one render per key at a time — readers arriving meanwhile wait for it) and kept if the
// page's load said it rendered that snapshot completely (`RenderNote`; a first paint that fell back for lack of time
// or slots is served but not kept). Kept: body and headers, never Set-Cookie. Within a byte budget, least recently
// used out first (live-cache.ts); each app server keeps its own. Anonymous readers' hits are answered ahead of
// SvelteKit (page-http.ts); everything else comes through SvelteKit's `handle` (src/lib/server/dashboard-page.ts).
import type { PageIdentity } from './page-key';
import { SharedResultCache } from './live-cache';

export type CachedPage = {
  bytes: number;
  status: number;
  body: Uint8Array<ArrayBuffer>;
  headers: [string, string][];
};

/** What the dashboard page's load tells the cache about the page it rendered. */
export type RenderNote = {
  snapshotId: string;
  /** False when the page would come out differently next time for the same key (a first paint that fell back). */
  settled: boolean;
};

/** Kept pages are dropped after this even if nobody needed the room: a safety net, not what keeps them fresh. */
const KEPT_MS = 10 * 60_000;

export type PageCacheState = {
  pages: SharedResultCache<CachedPage>;
  /** The app's build, part of every key: known once SvelteKit has handled a dashboard page (page-http.ts). */
  build: string;
};

const STATE = Symbol.for('sheaf.pageCache');
type WithState = typeof globalThis & { [STATE]?: PageCacheState };

/** One cache per process, shared by every copy of this module (SvelteKit's bundle has its own copy of server/). */
export function pageCacheState(maxBytes: number, build: string): PageCacheState {
  const g = globalThis as WithState;
  g[STATE] ??= { pages: new SharedResultCache<CachedPage>({ ttlMs: KEPT_MS, maxBytes }), build };
  g[STATE].build = build;
  return g[STATE];
}

/** The cache, if SvelteKit has started it (nothing can be kept before). */
export const startedPageCache = (): PageCacheState | undefined => (globalThis as WithState)[STATE];

/** Headers a kept page never carries: per response, or set from its identity. */
const NOT_KEPT = new Set([
  'set-cookie',
  'date',
  'content-length',
  'etag',
  'cache-control',
  'vary',
  'connection'
]);

class NotKept extends Error {
  constructor(readonly response: Response) {
    super('not kept');
  }
}

export type CachedRequest = {
  cache: SharedResultCache<CachedPage>;
  identity: PageIdentity;
  request: Request;
  /** SvelteKit's render of this request. */
  render: () => Promise<Response>;
  /** What the render's load noted (read after `render`). */
  note: () => RenderNote | undefined;
};

export async function cachedPage(r: CachedRequest): Promise<Response> {
  const { identity } = r;
  if (matchesEtag(r.request.headers.get('if-none-match'), identity.etag)) {
    return new Response(null, { status: 304, headers: new Headers(identityHeaders(identity)) });
  }
  if (r.request.method === 'HEAD') {
    // A HEAD's render is not kept (its body is the server's business); a kept GET answers it.
    const kept = r.cache.peek(identity.key);
    return kept ? withServed(fromKept(kept, identity, true), 'cache') : r.render();
  }
  let rendered = false;
  try {
    const { value, served } = await r.cache.load(identity.key, undefined, async () => {
      rendered = true;
      const res = await r.render();
      const body = new Uint8Array(await res.arrayBuffer());
      const note = r.note();
      if (res.status !== 200 || !note?.settled || note.snapshotId !== identity.snapshotId) {
        throw new NotKept(new Response(body, res));
      }
      const headers = [...res.headers].filter(([k]) => !NOT_KEPT.has(k));
      return { status: res.status, body, headers, bytes: body.byteLength + 64 * headers.length };
    });
    return withServed(fromKept(value, identity, false), served);
  } catch (e) {
    // This request's own render, not kept (or failed): as rendered. Another reader's: this one renders its own.
    if (rendered) {
      if (e instanceof NotKept) return e.response;
      throw e;
    }
    return r.render();
  }
}

/** For operators and tests: whether this view cost a render ('ran'), waited for another's ('shared') or none. */
function withServed(res: Response, served: string): Response {
  res.headers.set('x-sheaf-page', served);
  return res;
}

function fromKept(page: CachedPage, identity: PageIdentity, head: boolean): Response {
  const headers = new Headers(keptHeaders(page, identity));
  return new Response(head ? null : page.body, { status: page.status, headers });
}

/** A kept page's headers as sent: its own, then its identity's. */
export function keptHeaders(page: CachedPage, identity: PageIdentity): [string, string][] {
  return [...page.headers, ...identityHeaders(identity), ['content-length', String(page.body.byteLength)]];
}

/** Vary: a signed-in reader's page differs from an anonymous one at the same URL. */
export function identityHeaders(identity: PageIdentity): [string, string][] {
  return [
    ['etag', identity.etag],
    ['cache-control', identity.cacheControl],
    ['vary', 'Cookie']
  ];
}

/** If-None-Match: `*`, or a list of (possibly weak) tags, one of which is ours. */
export function matchesEtag(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
