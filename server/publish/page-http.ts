// Kept dashboard pages for anonymous readers, answered ahead of SvelteKit — the popular public dashboard's path:
//   GET|HEAD /d/:slug[?query]   without a session cookie
// The page's identity is read as SvelteKit's `handle` reads it (page-key.ts: fresh, access checked), then a
// matching If-None-Match answers 304 and a kept page is written as kept, with the headers SvelteKit sent it with, in
// the coding the request's Accept-Encoding prefers among the kept copies (page-encoding.ts).
// Anything else — a reader with a session (its renewal needs SvelteKit's cookies), a page not kept yet, a link that
// is off or refused — goes on to SvelteKit (`next`), which renders, keeps and answers as page-cache.ts says.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SESSION_COOKIE } from '../auth/session';
import type { Db } from '../db/types';
import { cookieValue } from '../http/session-of';
import { identityHeaders, keptBody, keptHeaders, startedPageCache } from './page-cache';
import { matchingEtag } from './page-encoding';
import { pageIdentity } from './page-key';

const PAGE = /^\/d\/([^/?#]+)(?:\?|$)/;

export function createPageHandler(opts: { getDb: () => Promise<Db> }) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const m = PAGE.exec(req.url ?? '');
    const state = startedPageCache();
    if (!m || !state || cookieValue(req, SESSION_COOKIE) !== undefined) return false;
    let slug: string;
    try {
      slug = decodeURIComponent(m[1]!);
    } catch {
      return false;
    }
    void (async () => {
      const db = await opts.getDb();
      const search = new URL(req.url!, 'http://x').search; // spelled as SvelteKit's event.url spells it
      const identity = await pageIdentity(db, { slug, user: null, search, build: state.build });
      if (!identity) return next();
      const accept = req.headers['accept-encoding'];
      const matched = matchingEtag(req.headers['if-none-match'], accept, identity.etag);
      if (matched) {
        res.writeHead(304, identityHeaders(identity, matched).flat()).end();
        return;
      }
      const kept = state.pages.peek(identity.key);
      if (!kept) return next();
      const { coding, body } = keptBody(kept, accept);
      const headers = keptHeaders(kept, identity, coding, body.byteLength);
      res.writeHead(kept.status, [...headers, ['x-sheaf-page', 'cache']].flat());
      res.end(req.method === 'HEAD' ? undefined : body);
    })().catch(() => {
      // The database's trouble: SvelteKit meets and reports it (unless this response had begun).
      if (!res.headersSent) next();
    });
    return true;
  };
}
