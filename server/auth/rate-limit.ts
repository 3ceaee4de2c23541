// Token-bucket rate limits kept in the app database (table rate_limits), so every app process counts against the
// same buckets: a limit spread over several servers behind a load balancer holds as it does on one. One statement
// per check; rows of full buckets are pruned by housekeeping (pruneRateLimits).
import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Queryable } from '../db/types';
import { deviceCookies, type DeviceCookies } from './device-cookie';

export type Limit = { capacity: number; refillEveryMs: number };
export type LimitResult = { ok: true } | { ok: false; retryAfterS: number };

/** Now in ms since the epoch: the database's clock unless a test gives one, so servers' clocks never disagree. */
const NOW = 'coalesce($4::float8, extract(epoch from clock_timestamp()) * 1000)';
/** The bucket's tokens refilled up to now (`b` the stored row, `excluded.at_ms` now). */
const REFILLED = 'least($2::float8, b.tokens + greatest(0, excluded.at_ms - b.at_ms) / $3::float8)';
const TAKEN = `case when ${REFILLED} >= 1 then ${REFILLED} - 1 else ${REFILLED} end`;

const CONSUME = `
  insert into rate_limits as b (key, tokens, at_ms, full_at_ms, ok)
  select $1, $2::float8 - 1, n.now, n.now + $3::float8, true from (select ${NOW} as now) n
  on conflict (key) do update set
    tokens = ${TAKEN},
    ok = ${REFILLED} >= 1,
    full_at_ms = excluded.at_ms + ($2::float8 - ${TAKEN}) * $3::float8,
    at_ms = excluded.at_ms
  returning tokens, ok`;

const PEEK = `
  select least($2::float8, tokens + greatest(0, ${NOW} - at_ms) / $3::float8) as tokens
  from rate_limits where key = $1`;

export class RateLimiter {
  /**
   * `name` keeps this limiter's keys apart from other limiters' in the shared table; `clock` (tests) replaces the
   * database's clock.
   */
  constructor(
    private readonly db: Queryable,
    private readonly name: string,
    private readonly limit: Limit,
    private readonly clock?: () => number
  ) {}

  /** Takes one token for `key`, or says how long until one is available. */
  async consume(key: string): Promise<LimitResult> {
    const [row] = await this.db.query<{ tokens: number; ok: boolean }>(CONSUME, this.params(key));
    return row!.ok ? { ok: true } : this.refusal(Number(row!.tokens));
  }

  /** Says whether `consume` would succeed now, without taking anything (for limits counted only on failure). */
  async peek(key: string): Promise<LimitResult> {
    const [row] = await this.db.query<{ tokens: number }>(PEEK, this.params(key));
    return !row || Number(row.tokens) >= 1 ? { ok: true } : this.refusal(Number(row.tokens));
  }

  async reset(key: string): Promise<void> {
    await this.db.query('delete from rate_limits where key = $1', [this.key(key)]);
  }

  private key(key: string): string {
    return `${this.name}|${key}`;
  }

  private params(key: string): unknown[] {
    return [this.key(key), this.limit.capacity, this.limit.refillEveryMs, this.clock?.() ?? null];
  }

  private refusal(tokens: number): LimitResult {
    // Rounded to whole ms first: fractional tokens would otherwise turn 20 s into 20.0000001 s → "21 s".
    const waitMs = Math.round((1 - tokens) * this.limit.refillEveryMs);
    return { ok: false, retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}

/** Deletes the rows of buckets that are full again: a missing row is a full bucket (housekeeping). */
export async function pruneRateLimits(db: Queryable, now?: number): Promise<void> {
  await db.query(
    'delete from rate_limits where full_at_ms <= coalesce($1::float8, extract(epoch from clock_timestamp()) * 1000)',
    [now ?? null]
  );
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
  db: Queryable,
  clock?: () => number,
  deviceKey: Uint8Array = randomBytes(32)
): LoginLimiters {
  const limiter = (name: string, limit: Limit) => new RateLimiter(db, `login.${name}`, limit, clock);
  return {
    devices: deviceCookies(deviceKey),
    // 5 tries at once, then one every 30 s per account and network…
    byAccountAddress: limiter('accountAddress', { capacity: 5, refillEveryMs: 30_000 }),
    // …30 at once, then one every 2 s per network, for guessing across many accounts…
    byAddress: limiter('address', { capacity: 30, refillEveryMs: 2_000 }),
    // …100 failures, then 100 an hour per account from untrusted browsers anywhere…
    byAccount: limiter('account', { capacity: 100, refillEveryMs: 36_000 }),
    // …and 10 tries, then one a minute, per device cookie.
    byDevice: limiter('device', { capacity: 10, refillEveryMs: 60_000 })
  };
}

/** Sign-ups per address: each costs an Argon2 hash and a workspace, so a script must not make thousands. */
export function createSignupLimiter(db: Queryable, clock?: () => number): RateLimiter {
  return new RateLimiter(db, 'signup', { capacity: 100, refillEveryMs: 10_000 }, clock);
}
