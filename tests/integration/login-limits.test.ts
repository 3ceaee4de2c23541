// Login limits against real accounts: guessing is slowed where it comes from, never by locking the owner out.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { logIn } from '../../server/auth/accounts';
import { createLoginLimiters, type LoginLimiters } from '../../server/auth/rate-limit';
import { validateSessionToken } from '../../server/auth/session';
import { person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => t.cleanup());
// Each test starts with fresh limits, as if on a new app: the buckets live in the database.
beforeEach(async () => void (await t.db.query('delete from rate_limits')));

const PASSWORD = 'correct horse battery';
const ATTACKER = '203.0.113.66';
const OWNER_HOME = '198.51.100.7';

let now = 1_000_000;
const clock = () => now;

async function attempt(
  limiters: LoginLimiters,
  email: string,
  password: string,
  ip: string,
  deviceCookie?: string
) {
  return logIn(t.db, limiters, { email, password }, ip, undefined, deviceCookie).catch((e) => e);
}

/** A login with the right password, which must succeed: from `ip`, with a browser's device cookie if given. */
function logInRightly(limiters: LoginLimiters, email: string, ip: string, deviceCookie?: string) {
  return logIn(t.db, limiters, { email, password: PASSWORD }, ip, undefined, deviceCookie);
}

/** `n` wrong passwords for `email` from `ip`; returns how each was answered. */
async function hammer(limiters: LoginLimiters, email: string, ip: string, n: number) {
  const codes: string[] = [];
  for (let i = 0; i < n; i++) codes.push((await attempt(limiters, email, `guess number ${i}`, ip)).code);
  return codes;
}

describe('an attacker cannot lock the owner out', () => {
  it('50 wrong passwords from one address leave the owner free to log in from another', async () => {
    const owner = await person(t.db, 'Owner One');
    const limiters = createLoginLimiters(t.db, clock);
    const codes = await hammer(limiters, owner.email, ATTACKER, 50);
    expect(codes.filter((c) => c === 'unauthorized')).toHaveLength(5);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(45);

    const ok = await logInRightly(limiters, owner.email, OWNER_HOME);
    expect(ok.user.id).toBe(owner.id);
    expect((await validateSessionToken(t.db, ok.token)).user?.id).toBe(owner.id);
  });

  it("lets the owner in at once from a browser that logged in before, even from the attacker's address", async () => {
    const owner = await person(t.db, 'Owner Two');
    const limiters = createLoginLimiters(t.db, clock);
    // Monday: the owner logs in at the office, and the browser keeps a device cookie.
    const monday = await logInRightly(limiters, owner.email, ATTACKER);
    expect(monday.deviceCookie).toMatch(/^[\w-]{22}\.[\w-]{43}$/);
    // Someone else behind the same office address guesses 50 times.
    const codes = await hammer(limiters, owner.email, ATTACKER, 50);
    expect(codes.at(-1)).toBe('rate_limited');
    // Without the cookie the owner is held to that address's limit like anyone there…
    const fresh = await attempt(limiters, owner.email, PASSWORD, ATTACKER);
    expect(fresh.code).toBe('rate_limited');
    // …with it, straight in (no timing asserted here: the login code has no waits, and machines are noisy).
    const ok = await logInRightly(limiters, owner.email, ATTACKER, monday.deviceCookie);
    expect(ok.user.id).toBe(owner.id);
  });

  it('distributed guessing stops untrusted browsers after 100 failures, but not a trusted one', async () => {
    const owner = await person(t.db, 'Owner Three');
    const limiters = createLoginLimiters(t.db, clock);
    const home = await logInRightly(limiters, owner.email, OWNER_HOME);
    for (let i = 0; i < 100; i++) {
      expect((await attempt(limiters, owner.email, 'wrong guess', `10.9.${i >> 8}.${i & 255}`)).code).toBe(
        'unauthorized'
      );
    }
    const botnet = await attempt(limiters, owner.email, 'wrong guess', '10.9.200.1');
    expect(botnet).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(botnet.message).toMatch(/^Too many login attempts for this account just now\. Try again in \d+ s/);
    const ok = await logInRightly(limiters, owner.email, OWNER_HOME, home.deviceCookie);
    expect(ok.user.id).toBe(owner.id);
  });
});

describe('the guesser is limited', () => {
  it('per account and address: 429 with a retry time, and one more try once it has passed', async () => {
    const victim = await person(t.db, 'Victim');
    const limiters = createLoginLimiters(t.db, clock);
    await hammer(limiters, victim.email, ATTACKER, 5);
    const limited = await attempt(limiters, victim.email, 'guess', ATTACKER);
    expect(limited).toMatchObject({ code: 'rate_limited', status: 429, retryAfterS: 30 });
    expect(limited.message).toBe('Too many login attempts. Try again in 30 s.');
    now += 30_000;
    expect((await attempt(limiters, victim.email, 'guess', ATTACKER)).code).toBe('unauthorized');
    expect((await attempt(limiters, victim.email, 'guess', ATTACKER)).code).toBe('rate_limited');
  });

  it('per address across accounts, counting a whole IPv6 /64 as one address', async () => {
    const limiters = createLoginLimiters(t.db, clock);
    const victims = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((i) => person(t.db, `Target ${i}`)));
    const codes: string[] = [];
    for (const [i, v] of victims.entries()) {
      // Each guess from another address in the same /64.
      for (let j = 0; j < 5; j++) {
        codes.push((await attempt(limiters, v.email, 'guess', `2001:db8:1:2::${i}:${j}`)).code);
      }
    }
    expect(codes.slice(0, 30).every((c) => c === 'unauthorized')).toBe(true);
    expect(codes.slice(30).every((c) => c === 'rate_limited')).toBe(true);
    const next = await attempt(limiters, victims[0]!.email, 'guess', '2001:db8:1:2:ffff::1');
    expect(next).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(next.retryAfterS).toBeGreaterThan(0);
    expect((await attempt(limiters, victims[6]!.email, 'guess', '2001:db8:1:3::1')).code).toBe(
      'unauthorized'
    );
  });

  it('guessing across many accounts, real or not, from one address is limited', async () => {
    const limiters = createLoginLimiters(t.db, clock);
    const emails = Array.from({ length: 40 }, (_, i) => `nobody.${i}.${Date.now()}@example.test`);
    const codes: string[] = [];
    for (const e of emails) codes.push((await attempt(limiters, e, PASSWORD, ATTACKER)).code);
    expect(codes.indexOf('rate_limited')).toBe(30);
    expect(codes.slice(30).every((c) => c === 'rate_limited')).toBe(true);
  });

  it("a device cookie only trusts its own account, and a stolen one gives 10 guesses, then the address's limits", async () => {
    const a = await person(t.db, 'Cookie Owner');
    const b = await person(t.db, 'Someone Else');
    const limiters = createLoginLimiters(t.db, clock);
    const signedIn = await logInRightly(limiters, a.email, OWNER_HOME);
    const cookie = signedIn.deviceCookie;

    await hammer(limiters, b.email, ATTACKER, 5);
    expect((await attempt(limiters, b.email, PASSWORD, ATTACKER, cookie)).code).toBe('rate_limited');
    const [nonce, sig] = cookie.split('.');
    const forged = `${nonce}.${sig!.slice(0, -2)}AA`;
    await hammer(limiters, a.email, ATTACKER, 5);
    expect((await attempt(limiters, a.email, PASSWORD, ATTACKER, forged)).code).toBe('rate_limited');

    const codes: string[] = [];
    for (let i = 0; i < 12; i++)
      codes.push((await attempt(limiters, a.email, 'guess', ATTACKER, cookie)).code);
    expect(codes.slice(0, 10).every((c) => c === 'unauthorized')).toBe(true);
    expect(codes.slice(10).every((c) => c === 'rate_limited')).toBe(true);
  });

  it('a browser keeps trust for each account logged in with it', async () => {
    const a = await person(t.db, 'Shared Browser A');
    const b = await person(t.db, 'Shared Browser B');
    const limiters = createLoginLimiters(t.db, clock);
    const first = await logInRightly(limiters, a.email, OWNER_HOME);
    const second = await logInRightly(limiters, b.email, OWNER_HOME, first.deviceCookie);
    await hammer(limiters, a.email, OWNER_HOME, 5);
    const ok = await logInRightly(limiters, a.email, OWNER_HOME, second.deviceCookie);
    expect(ok.user.id).toBe(a.id);
  });
});
