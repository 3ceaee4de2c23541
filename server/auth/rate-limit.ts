// Token-bucket rate limiting in process memory: fine for one app node; shared limits need the database or Redis.

export type Limit = { capacity: number; refillEveryMs: number };
export type LimitResult = { ok: true } | { ok: false; retryAfterS: number };

export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: Limit,
    private readonly clock: () => number = Date.now
  ) {}

  /** Takes one token for `key`, or says how long until one is available. */
  consume(key: string): LimitResult {
    const now = this.clock();
    const b = this.refilled(key, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.buckets.set(key, b);
      return { ok: true };
    }
    // Rounded to whole ms first: fractional tokens would otherwise turn 20 s into 20.0000001 s → "21 s".
    const waitMs = Math.round((1 - b.tokens) * this.limit.refillEveryMs);
    return { ok: false, retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  reset(key: string): void {
    this.buckets.delete(key);
  }

  private refilled(key: string, now: number) {
    const b = this.buckets.get(key) ?? { tokens: this.limit.capacity, at: now };
    const gained = (now - b.at) / this.limit.refillEveryMs;
    const tokens = Math.min(this.limit.capacity, b.tokens + gained);
    if (tokens >= this.limit.capacity) this.buckets.delete(key);
    if (this.buckets.size > 100_000) this.buckets.clear(); // bound memory under an address-spraying attack
    return { tokens, at: now };
  }
}

export type LoginLimiters = { byEmail: RateLimiter; byIp: RateLimiter };

export function createLoginLimiters(clock?: () => number): LoginLimiters {
  return {
    // 5 tries at once, then one every 30 s per account…
    byEmail: new RateLimiter({ capacity: 5, refillEveryMs: 30_000 }, clock),
    // …and 30 at once, then one every 2 s per address, for guessing across many accounts.
    byIp: new RateLimiter({ capacity: 30, refillEveryMs: 2_000 }, clock)
  };
}

/** Sign-ups per address: each costs an Argon2 hash and a workspace, so a script must not make thousands. */
export function createSignupLimiter(clock?: () => number): RateLimiter {
  return new RateLimiter({ capacity: 100, refillEveryMs: 10_000 }, clock);
}
