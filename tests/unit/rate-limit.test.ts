import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../server/auth/rate-limit';

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
});
