import { describe, expect, it } from 'vitest';
import { deviceCookies } from '../../server/auth/device-cookie';
import { networkOf, RateLimiter } from '../../server/auth/rate-limit';

describe('RateLimiter', () => {
  it('allows a burst up to capacity, then refills one token per period', () => {
    let now = 0;
    const rl = new RateLimiter({ capacity: 3, refillEveryMs: 1000 }, () => now);
    expect([rl.consume('k'), rl.consume('k'), rl.consume('k')].every((r) => r.ok)).toBe(true);
    expect(rl.consume('k')).toEqual({ ok: false, retryAfterS: 1 });
    expect(rl.consume('other').ok).toBe(true);
    now += 1000;
    expect(rl.consume('k').ok).toBe(true);
    expect(rl.consume('k').ok).toBe(false);
  });

  it('rounds the wait up to whole seconds and forgets a key on reset', () => {
    let now = 0;
    const rl = new RateLimiter({ capacity: 1, refillEveryMs: 30_000 }, () => now);
    rl.consume('k');
    now += 100;
    expect(rl.consume('k')).toEqual({ ok: false, retryAfterS: 30 });
    rl.reset('k');
    expect(rl.consume('k').ok).toBe(true);
  });

  it('peeks without taking a token', () => {
    const rl = new RateLimiter({ capacity: 1, refillEveryMs: 10_000 }, () => 0);
    expect(rl.peek('k').ok).toBe(true);
    expect(rl.peek('k').ok).toBe(true);
    rl.consume('k');
    expect(rl.peek('k')).toEqual({ ok: false, retryAfterS: 10 });
  });

  it('stays within its key budget by forgetting the least recently used keys, not everyone', () => {
    const rl = new RateLimiter({ capacity: 1, refillEveryMs: 60_000 }, () => 0, 100);
    rl.consume('guessed-account');
    for (let i = 0; i < 1000; i++) {
      rl.consume(`spray-${i}`);
      // The guesser keeps trying the account while spraying new keys to push its spent bucket out.
      if (i % 50 === 0) expect(rl.consume('guessed-account').ok).toBe(false);
    }
    expect(rl.size).toBe(100);
    expect(rl.consume('guessed-account').ok).toBe(false); // the old limiter cleared every bucket at its cap
    expect(rl.consume('spray-999').ok).toBe(false);
    expect(rl.consume('spray-0').ok).toBe(true); // the stalest were forgotten
  });
});

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
