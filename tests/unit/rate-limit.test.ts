import { describe, expect, it } from 'vitest';
import { deviceCookies } from '../../server/auth/device-cookie';
import { networkOf } from '../../server/auth/rate-limit';

describe('networkOf', () => {
  it('keys IPv4 by address and IPv6 by its /64', () => {
    expect(networkOf('203.0.113.5')).toBe('203.0.113.5');
    expect(networkOf('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(networkOf('2001:db8:1:2::1')).toBe(networkOf('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(networkOf('2001:db8:1:2::1')).not.toBe(networkOf('2001:db8:1:3::1'));
  });
});

describe('deviceCookies', () => {
  const key = new Uint8Array(32).fill(7);
  it('trusts a token only for the email it was issued for, and only when signed with our key', () => {
    const d = deviceCookies(key);
    const cookie = d.remember(undefined, 'a@example.test');
    expect(d.trustedNonce(cookie, 'a@example.test')).toMatch(/^[\w-]{22}$/);
    expect(d.trustedNonce(cookie, 'b@example.test')).toBeNull();
    expect(deviceCookies(new Uint8Array(32).fill(8)).trustedNonce(cookie, 'a@example.test')).toBeNull();
    expect(d.trustedNonce('garbage~' + cookie.slice(0, -1) + 'x', 'a@example.test')).toBeNull();
  });

  it('keeps one token per account, newest first, at most five', () => {
    const d = deviceCookies(key);
    let cookie: string | undefined;
    for (let i = 0; i < 7; i++) cookie = d.remember(cookie, `p${i}@example.test`);
    cookie = d.remember(cookie, 'p6@example.test');
    expect(cookie!.split('~')).toHaveLength(5);
    expect(d.trustedNonce(cookie, 'p6@example.test')).not.toBeNull();
    expect(d.trustedNonce(cookie, 'p2@example.test')).not.toBeNull();
    expect(d.trustedNonce(cookie, 'p1@example.test')).toBeNull();
  });
});
