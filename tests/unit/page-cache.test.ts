// The page cache's rules (server/publish/page-cache.ts) with the real cache and a stand-in for SvelteKit's render:
// what is kept and what is not, one render shared by readers arriving together, conditional requests and HEAD, and
// the compressed copies (Accept-Encoding with q-values, an ETag per coding, 304s and HEAD in each coding).
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { SharedResultCache } from '../../server/publish/live-cache';
import { cachedPage, compressKept, type CachedPage, type RenderNote } from '../../server/publish/page-cache';
import { chooseCoding, matchingEtag } from '../../server/publish/page-encoding';
import type { PageIdentity } from '../../server/publish/page-key';

const identity: PageIdentity = {
  key: 'k1',
  etag: '"k1"',
  snapshotId: 's1',
  cacheControl: 'public, max-age=0, s-maxage=30'
};

const SETTLED: RenderNote = { snapshotId: 's1', settled: true };

function setUp(note: RenderNote | undefined, page = (n: number) => `<p>render ${n}</p>`, maxBytes = 1e6) {
  const cache = new SharedResultCache<CachedPage>({ ttlMs: 60_000, maxBytes });
  let renders = 0;
  let release: () => void = () => {};
  let held: Promise<void> | null = null;
  const ask = (method = 'GET', headers: Record<string, string> = {}) =>
    cachedPage({
      cache,
      identity,
      request: new Request('http://x/d/a', { method, headers }),
      render: async () => {
        const n = ++renders;
        if (held) await held;
        return new Response(page(n), {
          headers: { 'content-type': 'text/html', 'set-cookie': 'a=b', etag: '"svelte"' }
        });
      },
      note: () => note
    });
  return {
    cache,
    ask,
    renders: () => renders,
    hold: () => (held = new Promise<void>((r) => (release = r))),
    release: () => release()
  };
}

describe('the dashboard page cache', () => {
  it('keeps a settled render and sends it again, with its identity and without its cookies', async () => {
    const c = setUp(SETTLED);
    const first = await c.ask();
    const again = await c.ask();
    expect(c.renders()).toBe(1);
    expect(await again.text()).toBe('<p>render 1</p>');
    expect(again.headers.get('x-sheaf-page')).toBe('cache');
    expect(again.headers.get('etag')).toBe('"k1"');
    expect(again.headers.get('cache-control')).toBe(identity.cacheControl);
    expect(again.headers.get('vary')).toBe('Cookie, Accept-Encoding');
    expect(again.headers.get('content-type')).toBe('text/html');
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(first.headers.get('set-cookie')).toBeNull();
  });

  it('serves but does not keep a render that was not settled, or of another snapshot', async () => {
    for (const note of [
      { snapshotId: 's1', settled: false },
      { snapshotId: 's0', settled: true },
      undefined
    ]) {
      const c = setUp(note);
      const first = await c.ask();
      expect(await first.text()).toBe('<p>render 1</p>');
      expect(first.headers.get('etag')).toBe('"svelte"'); // as rendered, not the key's
      expect(await (await c.ask()).text()).toBe('<p>render 2</p>');
      expect(c.cache.size).toBe(0);
    }
  });

  it('renders once for readers arriving together; if that render is not kept, each renders its own', async () => {
    const c = setUp(SETTLED);
    c.hold();
    const pages = Array.from({ length: 5 }, () => c.ask());
    c.release();
    const bodies = await Promise.all(pages.map(async (p) => (await p).text()));
    expect(c.renders()).toBe(1);
    expect(new Set(bodies)).toEqual(new Set(['<p>render 1</p>']));

    const d = setUp({ snapshotId: 's1', settled: false });
    d.hold();
    const more = Array.from({ length: 3 }, () => d.ask());
    d.release();
    const own = await Promise.all(more.map(async (p) => (await p).text()));
    expect(d.renders()).toBe(3);
    expect(new Set(own).size).toBe(3);
  });

  it('answers a matching If-None-Match with 304 without rendering', async () => {
    const c = setUp(SETTLED);
    const r = await c.ask('GET', { 'if-none-match': 'W/"k1"' });
    expect(r.status).toBe(304);
    expect(r.headers.get('etag')).toBe('"k1"');
    expect(c.renders()).toBe(0);
    expect((await c.ask('GET', { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('answers HEAD from a kept page, and renders without keeping on a miss', async () => {
    const c = setUp(SETTLED);
    await c.ask('HEAD');
    expect(c.cache.size).toBe(0);
    await c.ask();
    const head = await c.ask('HEAD');
    expect(await head.text()).toBe('');
    expect(head.headers.get('content-length')).toBe(String('<p>render 2</p>'.length));
    expect(c.renders()).toBe(2);
  });

  it('reads If-None-Match lists, weak tags and *', () => {
    expect(matchingEtag('"a", W/"k1"', null, '"k1"')).toBe('"k1"');
    expect(matchingEtag('*', null, '"k1"')).toBe('"k1"');
    expect(matchingEtag('"k10"', null, '"k1"')).toBeNull();
    expect(matchingEtag(null, null, '"k1"')).toBeNull();
  });

  describe('compressed copies', () => {
    // Big enough to be worth compressing (the real page is ~124 KB).
    const BIG = (n: number) =>
      `<main>${Array.from({ length: 400 }, (_, i) => `<p>row ${i} of render ${n}</p>`).join('')}</main>`;

    /** A page kept and compressed, then asked for as `accept-encoding` says. */
    async function kept() {
      const c = setUp(SETTLED, BIG);
      await c.ask();
      await vi.waitFor(() => expect(c.cache.peek('k1')?.encoded.br).toBeDefined());
      const ask = (accept: string | null, more: Record<string, string> = {}, method = 'GET') =>
        c.ask(method, { ...(accept === null ? {} : { 'accept-encoding': accept }), ...more });
      return { c, ask };
    }

    const bytes = async (r: Response) => Buffer.from(await r.arrayBuffer());

    it('sends brotli or gzip as asked, each decompressing to exactly the identity page', async () => {
      const { c, ask } = await kept();
      const identity = await ask(null);
      expect(identity.headers.get('content-encoding')).toBeNull();
      expect(identity.headers.get('etag')).toBe('"k1"');
      const page = await bytes(identity);
      expect(page.toString()).toBe(BIG(1));

      const br = await ask('gzip, deflate, br');
      expect(br.headers.get('content-encoding')).toBe('br');
      expect(br.headers.get('etag')).toBe('"k1-br"');
      expect(br.headers.get('vary')).toBe('Cookie, Accept-Encoding');
      const brBody = await bytes(br);
      expect(Number(br.headers.get('content-length'))).toBe(brBody.byteLength);
      expect(brBody.byteLength).toBeLessThan(page.byteLength / 4);
      expect(brotliDecompressSync(brBody).equals(page)).toBe(true);

      const gz = await ask('gzip');
      expect(gz.headers.get('content-encoding')).toBe('gzip');
      expect(gz.headers.get('etag')).toBe('"k1-gzip"');
      const gzBody = await bytes(gz);
      expect(Number(gz.headers.get('content-length'))).toBe(gzBody.byteLength);
      expect(gunzipSync(gzBody).equals(page)).toBe(true);
      expect(c.renders()).toBe(1);
      // The copies count in the budget.
      expect(c.cache.bytes).toBeGreaterThanOrEqual(page.byteLength + brBody.byteLength + gzBody.byteLength);
    });

    it('weighs q-values: q=0 excludes a coding, the highest q wins, identity when nothing else is acceptable', async () => {
      const { ask } = await kept();
      const coding = async (accept: string | null) => (await ask(accept)).headers.get('content-encoding');
      expect(await coding('br;q=0, gzip')).toBe('gzip');
      expect(await coding('br;q=0.5, gzip;q=0.8')).toBe('gzip');
      expect(await coding('gzip;q=0.5, br;q=0.6')).toBe('br');
      expect(await coding('*')).toBe('br');
      expect(await coding('*, br;q=0')).toBe('gzip');
      expect(await coding('gzip;q=0, br;q=0')).toBeNull();
      expect(await coding('GZIP;Q=1')).toBe('gzip');
      expect(await coding('')).toBeNull();
      expect(await coding('deflate')).toBeNull();
      expect(await coding('identity;q=0, *;q=0')).toBeNull(); // nothing acceptable: identity anyway
    });

    it('answers 304 per coding, and HEAD with the length of the coding it would send', async () => {
      const { c, ask } = await kept();
      const notModified = async (accept: string | null, tag: string) => {
        const r = await ask(accept, { 'if-none-match': tag });
        return r.status === 304 ? r.headers.get('etag') : null;
      };
      expect(await notModified('br, gzip', '"k1-br"')).toBe('"k1-br"');
      expect(await notModified('br, gzip', 'W/"k1-gzip"')).toBe('"k1-gzip"');
      expect(await notModified(null, '"k1"')).toBe('"k1"');
      expect(await notModified('br', '"k1"')).toBe('"k1"');
      // A tag for a coding the request no longer accepts is not its copy: a full answer, in a coding it takes.
      expect(await notModified(null, '"k1-br"')).toBeNull();
      expect(await notModified('gzip, br;q=0', '"k1-br"')).toBeNull();
      expect(await notModified('br', '"k1-gzip"')).toBeNull();
      const r304 = await ask('br', { 'if-none-match': '"k1-br"' });
      expect(r304.headers.get('vary')).toBe('Cookie, Accept-Encoding');

      const page = c.cache.peek('k1')!;
      for (const [accept, length] of [
        [null, page.body.byteLength],
        ['br', page.encoded.br!.byteLength],
        ['gzip', page.encoded.gzip!.byteLength]
      ] as const) {
        const head = await ask(accept, {}, 'HEAD');
        expect(await head.text()).toBe('');
        expect(Number(head.headers.get('content-length'))).toBe(length);
      }
      expect(c.renders()).toBe(1);
    });

    it('counts the copies in the budget: a page whose copies would not fit stays kept uncompressed', async () => {
      const pageBytes = BIG(1).length + 64; // one header kept (content-type)
      const c = setUp(SETTLED, BIG, pageBytes * 4 + 8); // room for the page alone, not for its copies too
      await c.ask();
      const page = c.cache.peek('k1')!;
      await compressKept(c.cache, 'k1', page); // as the first render started it; awaited here
      expect(c.cache.peek('k1')).toBe(page);
      expect(page.encoded).toEqual({});
      expect(c.cache.bytes).toBe(pageBytes);
      expect((await c.ask('GET', { 'accept-encoding': 'br' })).headers.get('content-encoding')).toBeNull();

      const roomy = setUp(SETTLED, BIG, pageBytes * 8);
      await roomy.ask();
      await compressKept(roomy.cache, 'k1', roomy.cache.peek('k1')!);
      const grown = roomy.cache.peek('k1')!;
      expect(grown.encoded.br).toBeDefined();
      expect(roomy.cache.bytes).toBe(
        pageBytes + grown.encoded.br!.byteLength + grown.encoded.gzip!.byteLength
      );
    });
  });

  it('parses Accept-Encoding like RFC 9110 says', () => {
    expect(chooseCoding(undefined, ['br', 'gzip'])).toBe('identity');
    expect(chooseCoding('br;q=0.1, gzip;q=0.1', ['br', 'gzip'])).toBe('br');
    expect(chooseCoding('br;q=1.5, gzip;q=0.2', ['br', 'gzip'])).toBe('gzip'); // malformed q: entry ignored
    expect(chooseCoding('x-gzip', ['br', 'gzip'])).toBe('gzip');
    expect(chooseCoding('br', ['gzip'])).toBe('identity');
  });
});
