// Content codings of a kept dashboard page: which one a request's Accept-Encoding asks for (RFC 9110 §12.5.3, with
// q-values), the ETag of each (one per coding: a gzip body is another representation than the identity one), and the
// compressed copies themselves, made once when a page is kept, in zlib's thread pool (async API) rather than on the
// event loop that answers readers. Nothing else in the app compresses dynamic responses (adapter-node only serves
// build/ assets it precompressed), so a page sent here with a Content-Encoding is compressed exactly once.
import { promisify } from 'node:util';
import zlib from 'node:zlib';

export type Coding = 'br' | 'gzip' | 'identity';

/** Ours, in the order we prefer at equal q: brotli is ~15% smaller than gzip on our HTML. */
const PREFERRED: Coding[] = ['br', 'gzip', 'identity'];

const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** q per coding named in Accept-Encoding (`*` included); entries with a malformed q are ignored. */
function qualities(header: string): Map<string, number> {
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    let value = 1;
    let ok = true;
    for (const p of params) {
      const m = /^q\s*=\s*(.*)$/.exec(p);
      if (!m) continue;
      if (QVALUE.test(m[1]!)) value = Number(m[1]);
      else ok = false;
    }
    const coding = name === 'x-gzip' ? 'gzip' : name;
    if (ok) q.set(coding, Math.max(value, q.get(coding) ?? 0));
  }
  return q;
}

/** How much the request wants `coding` (0: not at all). No header: identity only, as most servers read it. */
function qualityOf(q: Map<string, number> | null, coding: Coding): number {
  if (!q) return coding === 'identity' ? 1 : 0;
  const named = q.get(coding);
  if (named !== undefined) return named;
  const star = q.get('*');
  if (star !== undefined) return star;
  // identity is acceptable unless excluded (by name or by `*;q=0`), at the lowest preference.
  return coding === 'identity' ? 0.001 : 0;
}

const parse = (header: string | null | undefined) =>
  header === null || header === undefined ? null : qualities(header);

/**
 * The coding to send among those `available`: the highest q above 0, ours preferred at equal q. When the request
 * refuses them all (even identity) it gets identity anyway: a page it may not decode beats a 406 it cannot use.
 */
export function chooseCoding(header: string | null | undefined, available: readonly Coding[]): Coding {
  const q = parse(header);
  let best: Coding = 'identity';
  let bestQ = 0;
  for (const c of PREFERRED) {
    if (!available.includes(c) && c !== 'identity') continue;
    const v = qualityOf(q, c);
    if (v > bestQ) [best, bestQ] = [c, v];
  }
  return best;
}

/** The page's ETag for `coding`: the identity tag, or it with the coding inside the quotes. */
export function etagFor(etag: string, coding: Coding): string {
  return coding === 'identity' ? etag : `${etag.slice(0, -1)}-${coding}"`;
}

/**
 * The tag (of ours) an If-None-Match names, among the codings the request accepts now — whether or not this server
 * holds that copy at the moment: every coding of one key has the same content, so the client's copy is current.
 * Weak comparison (W/ ignored), as RFC 9110 §13.1.2 asks for If-None-Match; `*` names the one we would send.
 */
export function matchingEtag(
  ifNoneMatch: string | null | undefined,
  acceptEncoding: string | null | undefined,
  etag: string
): string | null {
  if (!ifNoneMatch) return null;
  const q = parse(acceptEncoding);
  if (ifNoneMatch.trim() === '*') return etagFor(etag, chooseCoding(acceptEncoding, PREFERRED));
  const named = new Set(ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, '')));
  for (const c of PREFERRED) {
    const tag = etagFor(etag, c);
    if (named.has(tag) && (c === 'identity' || qualityOf(q, c) > 0)) return tag;
  }
  return null;
}

export type Compressed = Partial<Record<'br' | 'gzip', Uint8Array<ArrayBuffer>>>;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * Brotli 9 and gzip 9: made once per kept page (~124 KB of HTML, tens of ms in the thread pool), sent to every
 * reader after. Brotli 11 would save a few % more for several times the CPU, on a machine busy serving.
 */
export async function compressPage(body: Uint8Array): Promise<Compressed> {
  const [br, gz] = await Promise.all([
    brotli(body, {
      params: {
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_QUALITY]: 9,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength
      }
    }),
    gzip(body, { level: 9 })
  ]);
  const out: Compressed = {};
  // A copy no smaller than the page (a tiny page) is not worth a coding.
  if (br.byteLength < body.byteLength) out.br = new Uint8Array(br);
  if (gz.byteLength < body.byteLength) out.gzip = new Uint8Array(gz);
  return out;
}
