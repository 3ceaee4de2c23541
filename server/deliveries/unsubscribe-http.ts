// The unsubscribe link, served ahead of SvelteKit so that it works without a session and takes mail providers'
// one-click POSTs (RFC 8058: `List-Unsubscribe-Post`, sent without an Origin, which SvelteKit's CSRF check would
// refuse):
//   GET  /unsubscribe/:token   a page asking to confirm (mail scanners open links; a GET changes nothing)
//   POST /unsubscribe/:token   unsubscribes, and says so
// The signed token is the only proof needed (unsubscribe-token.ts), so a cross-site POST would need it too. The
// page has no script; the token never leaves in a Referer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../db/types';
import { esc } from './email-html';
import { removeByToken } from './subscriptions';
import { readUnsubscribeToken } from './unsubscribe-token';

const PATH = /^\/unsubscribe\/([A-Za-z0-9._-]{1,100})$/;

export function createUnsubscribeHandler(opts: { getDb: () => Promise<Db>; key: () => Uint8Array }) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const m = PATH.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!m || (req.method !== 'GET' && req.method !== 'POST')) return false;
    // The body (a form's or `List-Unsubscribe=One-Click`) says nothing we need: not read, not kept.
    req.resume();
    void serve(opts, req.method, m[1]!, res).catch((e) => {
      console.error('unsubscribe:', e);
      page(
        res,
        503,
        'Please try again',
        'Something went wrong on our side. Please try the link again later.'
      );
    });
    return true;
  };
}

async function serve(
  opts: { getDb: () => Promise<Db>; key: () => Uint8Array },
  method: string,
  token: string,
  res: ServerResponse
) {
  const id = readUnsubscribeToken(token, opts.key());
  if (!id)
    return page(
      res,
      404,
      'Link not valid',
      'This unsubscribe link is not valid. Copy the whole link from the email.'
    );
  const db = await opts.getDb();
  const [s] = await db.query<{ title: string; email: string | null; channel: string }>(
    `select n.title, u.email, s.channel from subscriptions s join notebooks n on n.id = s.notebook_id
       join users u on u.id = s.user_id where s.id = $1`,
    [id]
  );
  if (!s) return page(res, 200, 'Unsubscribed', 'You are not subscribed to this any more.');
  const what = `“${s.title || 'Untitled notebook'}”`;
  if (method === 'POST') {
    await removeByToken(db, id);
    return page(res, 200, 'Unsubscribed', `You will no longer receive ${what} by email.`);
  }
  return page(
    res,
    200,
    'Unsubscribe?',
    `Stop sending ${what} to ${s.email ?? 'you'}?`,
    `<form method="post"><button type="submit" style="font-size:16px;padding:8px 16px">Unsubscribe</button></form>`
  );
}

function page(res: ServerResponse, status: number, title: string, text: string, extra = '') {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'private, no-store',
    'referrer-policy': 'no-referrer',
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
  });
  res.end(`<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)} · Sheaf</title></head>
<body style="font-family:Helvetica,Arial,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2328">
<h1 style="font-size:1.4rem">${esc(title)}</h1><p data-testid="unsubscribe-text">${esc(text)}</p>${extra}</body></html>`);
}
