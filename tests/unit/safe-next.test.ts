// Where login sends people afterwards: only paths on this site, however the path is spelled.
import { isRedirect } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { safeNext } from '../../src/lib/server/guard';
import { load as loginLoad } from '../../src/routes/login/+page.server';

// Each of these resolves (dot segments removed, %2e read as ".") to a path starting with "//" — another host —
// or carries an encoded slash or backslash that something decoding it later would turn into one.
const OFF_SITE = [
  '/.//evil.example',
  '/..//evil.example',
  '/%2e//evil.example',
  '/%2E//evil.example',
  '/%2e%2e//x',
  '/.%2e//x',
  '/a/..//evil.example',
  '/x/%2e%2e/%2e%2e//evil.example',
  '/.//evil.example?q=1#h',
  '/./%2fevil',
  '/%2f/evil.example',
  '/%2F%2Fevil.example',
  '/%5c/evil.example',
  '/%5C%5Cevil.example',
  '/./\\evil.example'
];

describe('safeNext', () => {
  it.each(OFF_SITE)('refuses %s', (next) => {
    expect(safeNext(next, '/home')).toBe('/home');
  });

  it('still follows ordinary paths on this site, normalised', () => {
    expect(safeNext('/w/abc?q=1')).toBe('/w/abc?q=1');
    expect(safeNext('/n/x#cell')).toBe('/n/x#cell');
    expect(safeNext('/w/./abc/../def')).toBe('/w/def');
    expect(safeNext('/w/abc?next=//evil.example')).toBe('/w/abc?next=//evil.example');
    expect(safeNext('/n/a%20b')).toBe('/n/a%20b');
  });
});

describe('the login page', () => {
  const signedIn = {
    user: { id: 'u1', email: 'a@example.test', name: 'A' },
    session: { id: 's1', userId: 'u1', expiresAt: new Date(Date.now() + 60_000) }
  };

  async function whereTo(next: string): Promise<string> {
    const url = new URL(`http://localhost/login?next=${encodeURIComponent(next)}`);
    try {
      await (loginLoad as (e: unknown) => unknown)({ locals: signedIn, url });
    } catch (e) {
      if (isRedirect(e)) return e.location;
      throw e;
    }
    throw new Error('expected a redirect');
  }

  it.each(OFF_SITE)('sends someone already logged in home, not to %s', async (next) => {
    expect(await whereTo(next)).toBe('/');
  });

  it('follows a same-site next', async () => {
    expect(await whereTo('/w/abc')).toBe('/w/abc');
  });
});
