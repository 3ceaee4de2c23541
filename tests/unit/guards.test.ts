import { describe, expect, it } from 'vitest';
import { cookieIsSecure } from '../../server/auth/cookie';
import { loadConfig } from '../../server/config';
import { safeNext } from '../../src/lib/server/guard';
import { relativeTime } from '../../src/lib/components/relative-time';

describe('safeNext', () => {
  it('follows same-site paths only', () => {
    expect(safeNext('/w/abc?q=1')).toBe('/w/abc?q=1');
    expect(safeNext('/n/x#cell')).toBe('/n/x#cell');
    for (const bad of [
      'https://evil.test/',
      '//evil.test',
      '/\\evil.test',
      'javascript:alert(1)',
      '/\t/evil.test',
      '/\n/evil.test',
      '/\\/evil.test',
      '\t//evil.test',
      '',
      null
    ]) {
      expect(safeNext(bad, '/home')).toBe('/home');
    }
  });
});

describe('cookieIsSecure', () => {
  it('is secure everywhere except loopback development hosts, unless overridden', () => {
    expect(cookieIsSecure('sheaf.example.com')).toBe(true);
    expect(cookieIsSecure('localhost')).toBe(false);
    expect(cookieIsSecure('127.0.0.1')).toBe(false);
    expect(cookieIsSecure('localhost', true)).toBe(true);
    expect(cookieIsSecure('10.0.0.5', false)).toBe(false);
  });
});

describe('loadConfig', () => {
  it('defaults to the embedded database with a demo account', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBeUndefined();
    expect(c.seedDemo).toBe(true);
    expect(c.port).toBe(3000);
  });
  it('does not seed a real database unless asked, and reports bad values by name', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y' }).seedDemo).toBe(false);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_SCHEMA: 'Robert; drop' })).toThrow(/DATABASE_SCHEMA/);
  });
});

describe('relativeTime', () => {
  it('says how long ago', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(relativeTime(new Date(now - 20_000), now)).toBe('just now');
    expect(relativeTime(new Date(now - 3 * 60_000), now)).toBe('3 minutes ago');
    expect(relativeTime(new Date(now - 26 * 3600_000), now)).toBe('yesterday');
  });
});
