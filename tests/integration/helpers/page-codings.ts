// A kept dashboard page in every content coding (server/publish/page-encoding.ts), checked against the running app:
// brotli and gzip bodies decompress to exactly the identity page, q-values choose, each coding has its own ETag and
// 304, HEAD gives each coding's length, and a request without Accept-Encoding gets identity. Raw node:http requests:
// fetch would decode the body and hide what was sent.
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { expect, vi } from 'vitest';

/** A raw answer (node:http decodes nothing): status, headers and the body's bytes as sent. */
function rawAt(base: string, path: string, headers: Record<string, string>, method = 'GET') {
  return new Promise<{ status: number; h: (n: string) => string | undefined; body: Buffer }>(
    (resolve, reject) => {
      const req = request(new URL(path, base), { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            h: (n) => res.headers[n] as string | undefined,
            body: Buffer.concat(chunks)
          })
        );
      });
      req.on('error', reject).end();
    }
  );
}

/** The page at /d/<slug> for a reader sending `more` headers (a cookie, or none): every coding, 304 and HEAD. */
export async function compressedAsAsked(base: string, slug: string, more: Record<string, string>) {
  const path = `/d/${slug}`;
  const raw = (p: string, h: Record<string, string>, method = 'GET') => rawAt(base, p, h, method);
  const plain = await raw(path, more); // no Accept-Encoding: identity
  expect(plain.status).toBe(200);
  expect(plain.h('content-encoding')).toBeUndefined();
  expect(Number(plain.h('content-length'))).toBe(plain.body.byteLength);
  const etag = plain.h('etag')!;
  // The copies are made once the page is kept, in the background: the identity copy is sent until then.
  const br = await vi.waitFor(
    async () => {
      const r = await raw(path, { ...more, 'accept-encoding': 'br, gzip' });
      expect(r.h('content-encoding')).toBe('br');
      return r;
    },
    { timeout: 30_000, interval: 200 }
  );
  expect(br.h('x-sheaf-page')).toBe('cache');
  expect(br.h('etag')).toBe(etag.replace(/"$/, '-br"'));
  expect(br.h('vary')).toBe('Cookie, Accept-Encoding');
  expect(Number(br.h('content-length'))).toBe(br.body.byteLength);
  expect(br.body.byteLength).toBeLessThan(plain.body.byteLength / 2);
  expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);

  const gz = await raw(path, { ...more, 'accept-encoding': 'br;q=0, gzip;q=0.5, identity;q=0.1' });
  expect(gz.h('content-encoding')).toBe('gzip');
  expect(gz.h('etag')).toBe(etag.replace(/"$/, '-gzip"'));
  expect(Number(gz.h('content-length'))).toBe(gz.body.byteLength);
  expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
  expect(
    (await raw(path, { ...more, 'accept-encoding': 'gzip;q=0, br;q=0' })).h('content-encoding')
  ).toBeUndefined();

  // 304 for the copy the client holds, in a coding it still accepts; a full answer otherwise.
  for (const [accept, tag] of [
    ['br, gzip', br.h('etag')!],
    ['gzip', `W/${gz.h('etag')!}`],
    ['', etag]
  ]) {
    const r = await raw(path, { ...more, 'accept-encoding': accept!, 'if-none-match': tag! });
    expect(r.status).toBe(304);
    expect(r.body.byteLength).toBe(0);
    expect(r.h('etag')).toBe(tag!.replace(/^W\//, ''));
    expect(r.h('vary')).toBe('Cookie, Accept-Encoding');
  }
  const other = await raw(path, { ...more, 'accept-encoding': 'gzip', 'if-none-match': br.h('etag')! });
  expect(other.status).toBe(200);
  expect(other.h('content-encoding')).toBe('gzip');

  for (const [accept, sent] of [
    ['br', br],
    ['gzip', gz],
    ['identity', plain]
  ] as const) {
    const head = await raw(path, { ...more, 'accept-encoding': accept }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.byteLength).toBe(0);
    expect(head.h('content-length')).toBe(String(sent.body.byteLength));
    expect(head.h('etag')).toBe(sent.h('etag'));
  }
}
