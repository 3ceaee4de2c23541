// The page cache's rules (server/publish/page-cache.ts) with the real cache and a stand-in for SvelteKit's render:
// what is kept and what is not, one render shared by readers arriving together, conditional requests and HEAD.
import { describe, expect, it } from 'vitest';
import { SharedResultCache } from '../../server/publish/live-cache';
import { cachedPage, matchesEtag, type CachedPage, type RenderNote } from '../../server/publish/page-cache';
import type { PageIdentity } from '../../server/publish/page-key';

const identity: PageIdentity = {
  key: 'k1',
  etag: '"k1"',
  snapshotId: 's1',
  cacheControl: 'public, max-age=0, s-maxage=30'
};

const SETTLED: RenderNote = { snapshotId: 's1', settled: true };

function setUp(note: RenderNote | undefined) {
  const cache = new SharedResultCache<CachedPage>({ ttlMs: 60_000, maxBytes: 1e6 });
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
        return new Response(`<p>render ${n}</p>`, {
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
    expect(again.headers.get('vary')).toBe('Cookie');
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
    expect(matchesEtag('"a", W/"k1"', '"k1"')).toBe(true);
    expect(matchesEtag('*', '"k1"')).toBe(true);
    expect(matchesEtag('"k10"', '"k1"')).toBe(false);
    expect(matchesEtag(null, '"k1"')).toBe(false);
  });
});
