// Rendered dashboard pages, kept by page key (page-key.ts) so a popular dashboard is rendered once per snapshot
// rather than once per view. The request's identity is computed first, fresh from the database (the access check
// included); then: If-None-Match naming its ETag answers 304 without rendering; a kept page is sent as kept; else
// the page is rendered (one render per key at a time — readers arriving meanwhile wait for it) and kept if the
// page's load said it rendered that snapshot completely (`RenderNote`; a first paint that fell back for lack of time
// or slots is served but not kept). Kept: body and headers, never Set-Cookie. Within a byte budget, least recently
// used out first (live-cache.ts); each app server keeps its own. Once kept, a page is also compressed (gzip, brotli;
// page-encoding.ts) off the request path, and its copies count in the budget; each reader gets the coding its
// Accept-Encoding prefers, each coding with its own ETag. Anonymous readers' hits are answered ahead of
// SvelteKit (page-http.ts); everything else comes through SvelteKit's `handle` (src/lib/server/dashboard-page.ts).
import type { PageIdentity } from './page-key';
import { SharedResultCache } from './live-cache';
import {
  chooseCoding,
  compressPage,
  etagFor,
  matchingEtag,
  type Coding,
  type Compressed
} from './page-encoding';

export type CachedPage = {
  bytes: number;
  status: number;
  /** The page as rendered (identity coding). */
  body: Uint8Array<ArrayBuffer>;
  /** Compressed copies of `body`, once made (a page is kept without them first). */
  encoded: Compressed;
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
  const accept = r.request.headers.get('accept-encoding');
  const matched = matchingEtag(r.request.headers.get('if-none-match'), accept, identity.etag);
  if (matched) {
    return new Response(null, { status: 304, headers: new Headers(identityHeaders(identity, matched)) });
  }
  if (r.request.method === 'HEAD') {
    // A HEAD's render is not kept (its body is the server's business); a kept GET answers it.
    const kept = r.cache.peek(identity.key);
    return kept ? withServed(fromKept(kept, identity, accept, true), 'cache') : r.render();
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
      return { status: res.status, body, encoded: {}, headers, bytes: pageBytes(body, {}, headers) };
    });
    if (served === 'ran') void compressKept(r.cache, identity.key, value);
    return withServed(fromKept(value, identity, accept, false), served);
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

const pageBytes = (body: Uint8Array, encoded: Compressed, headers: unknown[]) =>
  body.byteLength + (encoded.br?.byteLength ?? 0) + (encoded.gzip?.byteLength ?? 0) + 64 * headers.length;

/**
 * Adds the compressed copies to a page just kept, once they are made (zlib's thread pool, not the event loop): the
 * readers meanwhile get the identity copy. Not if the page already carries a coding (nothing here compresses twice),
 * or if it was dropped or replaced meanwhile, or if the copies would not fit the budget.
 */
export async function compressKept(cache: SharedResultCache<CachedPage>, key: string, page: CachedPage) {
  if (page.headers.some(([k]) => k === 'content-encoding') || cache.peek(key) !== page) return;
  try {
    const encoded = await compressPage(page.body);
    cache.replace(key, page, { ...page, encoded, bytes: pageBytes(page.body, encoded, page.headers) });
  } catch {
    // Out of memory or the like: the page stays kept, sent uncompressed.
  }
}

/** The kept copy the request's Accept-Encoding prefers. */
export function keptBody(page: CachedPage, acceptEncoding: string | null | undefined) {
  const available = (['br', 'gzip'] as const).filter((c) => page.encoded[c]);
  const coding: Coding = chooseCoding(acceptEncoding, available);
  return { coding, body: coding === 'identity' ? page.body : page.encoded[coding]! };
}

function fromKept(page: CachedPage, identity: PageIdentity, accept: string | null, head: boolean): Response {
  const { coding, body } = keptBody(page, accept);
  const headers = new Headers(keptHeaders(page, identity, coding, body.byteLength));
  return new Response(head ? null : body, { status: page.status, headers });
}

/** A kept page's headers as sent in `coding`: its own, then its identity's. */
export function keptHeaders(
  page: CachedPage,
  identity: PageIdentity,
  coding: Coding,
  length: number
): [string, string][] {
  const encoding: [string, string][] = coding === 'identity' ? [] : [['content-encoding', coding]];
  return [
    ...page.headers,
    ...identityHeaders(identity, etagFor(identity.etag, coding)),
    ...encoding,
    ['content-length', String(length)]
  ];
}

/**
 * Vary: a signed-in reader's page differs from an anonymous one at the same URL, and its bytes differ by the coding
 * asked for. `etag` is the identity's tag made for the coding sent.
 */
export function identityHeaders(identity: PageIdentity, etag: string): [string, string][] {
  return [
    ['etag', etag],
    ['cache-control', identity.cacheControl],
    ['vary', 'Cookie, Accept-Encoding']
  ];
}
