// Token-bucket rate limiting in process memory: fine for one app node; shared limits need the database or Redis.
import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { deviceCookies, type DeviceCookies } from './device-cookie';

export type Limit = { capacity: number; refillEveryMs: number };
export type LimitResult = { ok: true } | { ok: false; retryAfterS: number };

/** Keys kept per limiter unless told otherwise: ~100 bytes each, so a few MB at most. */
const MAX_KEYS = 100_000;

export class RateLimiter {
  // A Map iterates in insertion order; every write re-inserts its key, so the first key is the least recently used.
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: Limit,
    private readonly clock: () => number = Date.now,
    private readonly maxKeys = MAX_KEYS
  ) {}

  /** Takes one token for `key`, or says how long until one is available. */
  consume(key: string): LimitResult {
    const now = this.clock();
    const b = this.refilled(key, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.store(key, b);
      return { ok: true };
    }
    this.store(key, b); // a refused key is still in use: it must not be the first forgotten
    return this.refusal(b.tokens);
  }

  /** Says whether `consume` would succeed now, without taking anything (for limits counted only on failure). */
  peek(key: string): LimitResult {
    const b = this.refilled(key, this.clock());
    return b.tokens >= 1 ? { ok: true } : this.refusal(b.tokens);
  }

  reset(key: string): void {
    this.buckets.delete(key);
  }

  /** How many keys are held (for tests of the memory bound). */
  get size(): number {
    return this.buckets.size;
  }

  private refusal(tokens: number): LimitResult {
    // Rounded to whole ms first: fractional tokens would otherwise turn 20 s into 20.0000001 s → "21 s".
    const waitMs = Math.round((1 - tokens) * this.limit.refillEveryMs);
    return { ok: false, retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  private store(key: string, b: { tokens: number; at: number }) {
    this.buckets.delete(key);
    this.buckets.set(key, b);
    // Under an address-spraying attack only the stalest buckets go; clearing them all (as this once did) would
    // also have forgiven the attacker's own spent buckets.
    while (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) break;
      this.buckets.delete(oldest);
    }
  }

  private refilled(key: string, now: number) {
    const b = this.buckets.get(key) ?? { tokens: this.limit.capacity, at: now };
    const gained = (now - b.at) / this.limit.refillEveryMs;
    const tokens = Math.min(this.limit.capacity, b.tokens + gained);
    if (tokens >= this.limit.capacity) this.buckets.delete(key); // a full bucket is the default: no need to keep it
    return { tokens, at: now };
  }
}

/**
 * The part of a client address that identifies one network: IPv4 as is, IPv6 by its /64 — one subscriber
 * usually holds a whole /64, so per-address limits keyed on full IPv6 addresses would give them 2^64 tries.
 */
export function networkOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Login limits, after OWASP's "Blocking Brute Force Attacks" and "Slow Down Online Guessing Attacks with Device
 * Cookies". Browsers that have logged into an account before carry a device cookie for it and are held only to
 * their own budget (byDevice), so nobody elsewhere can lock the owner out. Other attempts are limited per
 * (account, network), per network across accounts, and — for guessing spread over many networks — by failures
 * per account.
 */
export type LoginLimiters = {
  /** Untrusted attempts on one account from one network: wrong passwords there do not touch other places. */
  byAccountAddress: RateLimiter;
  /** Untrusted attempts from one network across all accounts. */
  byAddress: RateLimiter;
  /** Failed untrusted attempts on one account from anywhere: the backstop against distributed guessing. */
  byAccount: RateLimiter;
  /** Attempts with one device cookie: a stolen cookie gives a few guesses, then counts as untrusted. */
  byDevice: RateLimiter;
  /** Signs and checks device cookies. */
  devices: DeviceCookies;
};

/** `deviceKey` signs device cookies; a random one (tests) makes cookies good only for this process. */
export function createLoginLimiters(
  clock?: () => number,
  deviceKey: Uint8Array = randomBytes(32)
): LoginLimiters {
  return {
    devices: deviceCookies(deviceKey),
    // 5 tries at once, then one every 30 s per account and network…
    byAccountAddress: new RateLimiter({ capacity: 5, refillEveryMs: 30_000 }, clock),
    // …30 at once, then one every 2 s per network, for guessing across many accounts…
    byAddress: new RateLimiter({ capacity: 30, refillEveryMs: 2_000 }, clock),
    // …100 failures, then 100 an hour per account from untrusted browsers anywhere…
    byAccount: new RateLimiter({ capacity: 100, refillEveryMs: 36_000 }, clock),
    // …and 10 tries, then one a minute, per device cookie.
    byDevice: new RateLimiter({ capacity: 10, refillEveryMs: 60_000 }, clock)
  };
}

/** Sign-ups per address: each costs an Argon2 hash and a workspace, so a script must not make thousands. */
export function createSignupLimiter(clock?: () => number): RateLimiter {
  return new RateLimiter({ capacity: 100, refillEveryMs: 10_000 }, clock);
}
