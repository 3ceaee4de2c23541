// The dashboard page cache (server/publish/page-cache.ts) against the built app (server/index.ts as `npm start` runs
// it) on a real PostgreSQL: a public dashboard read anonymously is rendered once and then sent as kept, with an ETag
// (If-None-Match → 304) and a Cache-Control a CDN may honour; a signed-in reader's page is their own; refresh,
// re-publish, visibility changes and unpublishing — made here, outside the app, as another server would — show at
// once; a members-only page a member warmed is never sent, nor confirmed by a 304, to anyone else; and a link with
// filter values is kept per values, each with its own figures; a kept page is sent brotli- or gzip-compressed as the
// request's Accept-Encoding asks (its own ETag per coding, 304 and HEAD in each), by either path (ahead of SvelteKit
// for anonymous readers, through it for signed-in ones).
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderedCells, setTitle, type NewCell } from '../../cells/document';
import { addToLayout } from '../../cells/layout';
import { SESSION_COOKIE } from '../../server/auth/session';
import { secretBox } from '../../server/connectors/secret-box';
import type { Db } from '../../server/db/types';
import type { NotebookId } from '../../server/ids';
import { createNotebook } from '../../server/notebooks/notebooks';
import { publish, refreshAsEditor, updatePublication } from '../../server/publish/publications';
import type { AppProcess } from './helpers/app-process';
import { startAppWithDb } from './helpers/app-with-db';
import { editStoredDoc } from './helpers/edit-stored-doc';
import { compressedAsAsked } from './helpers/page-codings';
import { join, person } from './helpers/people';
import { uploadCsv } from './helpers/upload';

const REGIONS = ['north', 'south', 'east', 'west'];
const AMOUNTS = Array.from({ length: 400 }, (_, i) => ({ region: REGIONS[i % 4]!, amount: (i * 37) % 1000 }));
const SALES = 'region,amount\n' + AMOUNTS.map((r) => `${r.region},${r.amount}`).join('\n') + '\n';
const totalOf = (region: string) =>
  AMOUNTS.filter((r) => r.region === region)
    .reduce((s, r) => s + r.amount, 0)
    .toLocaleString('en-US', { maximumFractionDigits: 2 });

const key = randomBytes(32);
const PUBLIC_CACHE = 'public, max-age=0, s-maxage=30';
let app: AppProcess;
let db: Db;
let stop: (() => Promise<void>) | undefined;
let ann: Awaited<ReturnType<typeof person>>;
const deps = () => ({ dataDir: app.dataDir, secretBox: () => secretBox(key) });

beforeAll(async () => {
  ({ app, db, stop } = await startAppWithDb('pcache', {
    SECRET_KEY: key.toString('base64'),
    FIRST_PAINT_BUDGET_MS: '30000' // a workbench child starts slowly on a busy machine; this test is about caching
  }));
  ann = await person(db, 'Cache Ann');
  await uploadCsv(db, app.dataDir, ann, 'sales.csv', SALES);
}, 300_000);

afterAll(async () => {
  await stop?.();
});

/** A notebook of Ann's with a region dropdown and a number card following it, published as asked. */
async function dashboard(title: string, visibility: 'public' | 'members') {
  const cells: NewCell[] = [
    {
      kind: 'input',
      name: 'region',
      config: {
        widget: 'dropdown',
        label: 'Region',
        options: { from: 'list', values: REGIONS },
        value: 'north'
      }
    },
    { kind: 'sql', name: 'total', source: 'select sum(amount) as total from sales where region = {{region}}' }
  ];
  const nb = await createNotebook(db, ann.id, ann.workspaceId, { title }, cells);
  await editStoredDoc(db, nb.id, (doc) => {
    for (const c of orderedCells(doc)) addToLayout(doc, c, c.kind === 'input' ? 'input' : 'number');
  });
  const { slug } = await publish(db, deps(), ann.id, nb.id, { visibility });
  return { slug, notebookId: nb.id as NotebookId };
}

const cookieOf = (p: { token: string }) => `${SESSION_COOKIE}=${p.token}`;

async function view(
  slug: string,
  opts: { query?: string; cookie?: string; etag?: string; method?: string; encoding?: string } = {}
) {
  const headers: Record<string, string> = {};
  // fetch would ask for gzip and decode it: these tests read the identity page's ETag and length (codings: below).
  headers['accept-encoding'] = opts.encoding ?? 'identity';
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.etag) headers['if-none-match'] = opts.etag;
  const res = await fetch(`${app.base}/d/${slug}${opts.query ?? ''}`, {
    method: opts.method ?? 'GET',
    headers,
    redirect: 'manual'
  });
  const html = await res.text();
  const h = (name: string) => res.headers.get(name);
  return {
    status: res.status,
    html,
    etag: h('etag'),
    cacheControl: h('cache-control'),
    served: h('x-sheaf-page'),
    h
  };
}

/** The number card's figure as the server rendered it. */
function figure(html: string): string | undefined {
  const at = html.indexOf('data-testid="big-number-value"');
  return at < 0 ? undefined : />([^<]*)<\/p>/.exec(html.slice(at))?.[1];
}

const snapshotOf = async (slug: string) =>
  (
    await db.query<{ snapshot_id: string }>('select snapshot_id from publications where slug = $1', [slug])
  )[0]!.snapshot_id;

describe('a public dashboard read anonymously', () => {
  let slug: string;
  beforeAll(async () => {
    ({ slug } = await dashboard('Popular', 'public'));
  }, 300_000);

  it('is rendered once, then sent as kept with an ETag and a Cache-Control a CDN may honour', async () => {
    const first = await view(slug);
    expect(first.status).toBe(200);
    expect(first.served).toBe('ran');
    expect(first.cacheControl).toBe(PUBLIC_CACHE);
    expect(first.h('vary')).toBe('Cookie, Accept-Encoding');
    expect(first.h('set-cookie')).toBeNull();
    expect(first.etag).toMatch(/^"[\w-]+"$/);
    expect(figure(first.html)).toBe(totalOf('north'));
    // Hashes, not a nonce, in the policy of a page sent to many readers.
    expect(first.h('content-security-policy')).toContain("'sha256-");
    expect(first.h('content-security-policy')).not.toContain("'nonce-");

    const again = await view(slug);
    expect(again.served).toBe('cache');
    expect(again.html).toBe(first.html);
    expect(again.etag).toBe(first.etag);
    expect(again.h('content-security-policy')).toBe(first.h('content-security-policy'));
    for (const h of ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'content-type'])
      expect(again.h(h)).toBe(first.h(h));
  }, 120_000);

  it('keeps nothing a request’s Host header put in the page (a kept page reaches everyone)', async () => {
    const { slug: fresh } = await dashboard('Host check', 'public');
    const poisoned = await new Promise<string>((resolve, reject) => {
      const url = new URL(`${app.base}/d/${fresh}`);
      const req = request(url, { headers: { host: 'evil.example' } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (t: string) => (body += t));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject).end();
    });
    expect(poisoned).toContain('Host check');
    expect(poisoned).not.toContain('evil.example');
    const next = await view(fresh);
    expect(next.served).toBe('cache');
    expect(next.html).toBe(poisoned);
  }, 120_000);

  it('answers If-None-Match with 304, and HEAD with the headers alone', async () => {
    const { etag, html } = await view(slug);
    for (const tag of [etag!, `W/${etag}`, `"nope", ${etag}`]) {
      const r = await view(slug, { etag: tag });
      expect(r.status).toBe(304);
      expect(r.html).toBe('');
      expect(r.etag).toBe(etag);
      expect(r.cacheControl).toBe(PUBLIC_CACHE);
    }
    expect((await view(slug, { etag: '"nope"' })).status).toBe(200);
    const head = await view(slug, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.html).toBe('');
    expect(head.etag).toBe(etag);
    expect(Number(head.h('content-length'))).toBe(Buffer.byteLength(html));
  }, 120_000);

  it('is sent compressed as Accept-Encoding asks, each coding decompressing to exactly the page', async () => {
    await compressedAsAsked(app.base, slug, {});
  }, 120_000);

  it('is a signed-in reader’s own page, never an anonymous one or another person’s', async () => {
    const anon = await view(slug);
    const eve = await person(db, 'Eve Reader');
    const mine = await view(slug, { cookie: cookieOf(eve) });
    expect(mine.status).toBe(200);
    expect(mine.html).toContain('Eve Reader');
    expect(mine.cacheControl).toBe('private, no-cache');
    expect(mine.etag).not.toBe(anon.etag);
    expect((await view(slug, { cookie: cookieOf(eve) })).served).toBe('cache');
    // Through SvelteKit's handle (a reader with a session): the same codings.
    await compressedAsAsked(app.base, slug, { cookie: cookieOf(eve) });
    // Eve's copy never reaches anyone else, nor theirs her.
    expect((await view(slug)).html).not.toContain('Eve Reader');
    const dan = await person(db, 'Dan Reader');
    const his = await view(slug, { cookie: cookieOf(dan) });
    expect(his.html).toContain('Dan Reader');
    expect(his.html).not.toContain('Eve Reader');
    expect((await view(slug, { cookie: cookieOf(dan), etag: mine.etag! })).status).toBe(200);
  }, 120_000);

  it('keeps a link with filter values per values, each with its own figures', async () => {
    for (const region of ['south', 'east', 'south']) {
      const r = await view(slug, { query: `?region=${region}` });
      expect(r.status).toBe(200);
      expect(figure(r.html)).toBe(totalOf(region));
    }
    const south = await view(slug, { query: '?region=south' });
    expect(south.served).toBe('cache');
    expect(south.cacheControl).toBe(PUBLIC_CACHE);
    expect(figure((await view(slug)).html)).toBe(totalOf('north'));
    expect((await view(slug, { query: '?region=east', etag: south.etag! })).status).toBe(200);
  }, 180_000);
});

describe('changes to a publication show at once', () => {
  it('after a refresh, a re-publish, a visibility change and unpublishing', async () => {
    const { slug, notebookId } = await dashboard('Changing', 'public');
    const before = await view(slug);
    expect(before.html).toContain(await snapshotOf(slug));
    expect((await view(slug)).served).toBe('cache');

    await refreshAsEditor(db, deps(), ann.id, slug);
    const refreshed = await view(slug, { etag: before.etag! });
    expect(refreshed.status).toBe(200);
    expect(refreshed.served).toBe('ran');
    expect(refreshed.html).toContain(await snapshotOf(slug));
    expect(refreshed.etag).not.toBe(before.etag);

    await editStoredDoc(db, notebookId, (doc) => setTitle(doc, 'Changed title'));
    await publish(db, deps(), ann.id, notebookId, { visibility: 'public' });
    const republished = await view(slug, { etag: refreshed.etag! });
    expect(republished.status).toBe(200);
    expect(republished.html).toContain('Changed title');

    await updatePublication(db, ann.id, notebookId, { visibility: 'members' });
    for (const etag of [undefined, republished.etag!]) {
      const stranger = await view(slug, { etag });
      expect(stranger.status).toBe(303);
      expect(stranger.h('location')).toContain('/login');
    }
    const member = await view(slug, { cookie: cookieOf(ann) });
    expect(member.status).toBe(200);
    expect(member.cacheControl).toBe('private, no-store');

    await updatePublication(db, ann.id, notebookId, { visibility: 'off' });
    for (const cookie of [undefined, cookieOf(ann)]) {
      expect((await view(slug, { cookie })).status).toBe(404);
      expect((await view(slug, { cookie, etag: member.etag! })).status).toBe(404);
    }
  }, 300_000);
});

describe('a members-only dashboard a member warmed', () => {
  it('is never sent, nor confirmed by a 304, to a reader without access', async () => {
    const { slug } = await dashboard('Members secret', 'members');
    const warm = await view(slug, { cookie: cookieOf(ann) });
    expect(warm.status).toBe(200);
    expect(warm.html).toContain('Members secret');
    expect(warm.cacheControl).toBe('private, no-store');
    expect((await view(slug, { cookie: cookieOf(ann) })).served).toBe('cache');

    for (const method of ['GET', 'HEAD']) {
      for (const etag of [undefined, warm.etag!]) {
        const anonymous = await view(slug, { method, etag });
        expect(anonymous.status).toBe(303);
        expect(anonymous.h('location')).toBe(`/login?next=${encodeURIComponent(`/d/${slug}`)}`);
        expect(anonymous.html).not.toContain('Members secret');
      }
    }
    const outsider = await person(db, 'Other Workspace');
    for (const etag of [undefined, warm.etag!]) {
      const r = await view(slug, { cookie: cookieOf(outsider), etag });
      expect(r.status).toBe(404);
      expect(r.html).not.toContain('Members secret');
    }
    // Another member: their own page (their name in it), not Ann's.
    const bob = await person(db, 'Bob Member');
    await join(db, ann, bob, 'viewer');
    const his = await view(slug, { cookie: cookieOf(bob) });
    expect(his.status).toBe(200);
    expect(his.served).toBe('ran');
    expect(his.html).toContain('Bob Member');
    expect(his.html).not.toContain(ann.email);
  }, 300_000);
});
