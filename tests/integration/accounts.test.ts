import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { logIn, signUp } from '../../server/auth/accounts';
import { createLoginLimiters, createSignupLimiter } from '../../server/auth/rate-limit';
import { SESSION_TTL_MS, invalidateSession, validateSessionToken } from '../../server/auth/session';
import { hashToken } from '../../server/ids';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => t.cleanup());
// Each test starts with fresh limits, as if on a new app: the buckets live in the database.
beforeEach(async () => void (await t.db.query('delete from rate_limits')));

const DAY = 24 * 3600 * 1000;
const password = 'correct horse battery';
let seq = 0;
const email = () => `someone.${++seq}.${Date.now()}@example.test`;

describe('sign up', () => {
  it('creates the user, a personal workspace they own, and a working session', async () => {
    const e = email();
    const r = await signUp(t.db, { email: `  ${e.toUpperCase()} `, name: 'Ada', password });
    expect(r.user.email).toBe(e);
    const ws = await t.db.query<{ role: string; name: string }>(
      `select m.role, w.name from memberships m join workspaces w on w.id = m.workspace_id where m.user_id = $1`,
      [r.user.id]
    );
    expect(ws).toEqual([{ role: 'owner', name: "Ada's workspace" }]);
    const v = await validateSessionToken(t.db, r.token);
    expect(v.user?.id).toBe(r.user.id);
  });

  it('stores an argon2id hash, never the password, and only the SHA-256 of the session token', async () => {
    const r = await signUp(t.db, { email: email(), name: 'Bo', password });
    const [u] = await t.db.query<{ password_hash: string }>('select password_hash from users where id = $1', [
      r.user.id
    ]);
    expect(u!.password_hash).toMatch(/^\$argon2id\$/);
    expect(u!.password_hash).not.toContain(password);
    const sessions = await t.db.query<{ id: string }>('select id from sessions where user_id = $1', [
      r.user.id
    ]);
    expect(sessions.map((s) => s.id)).toEqual([hashToken(r.token)]);
    expect(sessions[0]!.id).not.toBe(r.token);
  });

  it('refuses a duplicate email (any case) with a clear message and stores nothing', async () => {
    const e = email();
    await signUp(t.db, { email: e, name: 'First', password });
    const before = await t.db.query<{ n: number }>('select count(*)::int as n from workspaces');
    const err = await signUp(t.db, { email: e.toUpperCase(), name: 'Second', password }).catch((x) => x);
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/already exists/);
    const after = await t.db.query<{ n: number }>('select count(*)::int as n from workspaces');
    expect(after[0]!.n).toBe(before[0]!.n);
    const users = await t.db.query('select 1 from users where lower(email) = $1', [e]);
    expect(users).toHaveLength(1);
  });

  it('limits sign-ups per address with a "try again in N s" message, and creates nothing when refused', async () => {
    let now = 0;
    const limiter = createSignupLimiter(t.db, () => now);
    const ip = '203.0.113.7';
    for (let i = 0; i < 100; i++) {
      expect((await limiter.consume(`signup:${ip}`)).ok).toBe(true); // the allowance, used up without hashing 100 passwords
    }
    const e = email();
    await expect(signUp(t.db, { email: e, name: 'Bot', password }, { limiter, ip })).rejects.toMatchObject({
      code: 'rate_limited',
      message: expect.stringMatching(/Try again in \d+ s/)
    });
    expect(await t.db.query('select 1 from users where email = $1', [e])).toHaveLength(0);
    const other = await signUp(
      t.db,
      { email: email(), name: 'Person', password },
      { limiter, ip: '198.51.100.1' }
    );
    expect(other.user.name).toBe('Person');
    now += 10_000;
    const later = await signUp(t.db, { email: e, name: 'Bot', password }, { limiter, ip });
    expect(later.user.email).toBe(e);
  });

  it('checks the password length and the email on the server', async () => {
    const short = await signUp(t.db, { email: email(), name: 'C', password: 'short' }).catch((x) => x);
    expect(short.code).toBe('invalid');
    expect(short.fields.password).toMatch(/at least 8/);
    const bad = await signUp(t.db, { email: 'not-an-email', name: 'C', password }).catch((x) => x);
    expect(bad.fields.email).toMatch(/valid email/);
  });
});

describe('log in and out', () => {
  it('logs in with the right password only', async () => {
    const e = email();
    await signUp(t.db, { email: e, name: 'D', password });
    const limiters = createLoginLimiters(t.db);
    const wrong = await logIn(t.db, limiters, { email: e, password: 'wrong password' }, '10.0.0.1').catch(
      (x) => x
    );
    expect(wrong.code).toBe('unauthorized');
    expect(wrong.message).toBe('Wrong email or password.');
    const unknown = await logIn(t.db, limiters, { email: email(), password }, '10.0.0.1').catch((x) => x);
    expect(unknown.message).toBe('Wrong email or password.');
    const ok = await logIn(t.db, limiters, { email: e, password }, '10.0.0.1');
    expect((await validateSessionToken(t.db, ok.token)).user?.email).toBe(e);
  });

  it('rotates the session on login and invalidates it on logout', async () => {
    const e = email();
    const first = await signUp(t.db, { email: e, name: 'E', password });
    const limiters = createLoginLimiters(t.db);
    const oldSession = (await validateSessionToken(t.db, first.token)).session!;
    const second = await logIn(t.db, limiters, { email: e, password }, '10.0.0.2', oldSession.id);
    expect(second.token).not.toBe(first.token);
    expect((await validateSessionToken(t.db, first.token)).session).toBeNull();
    const current = (await validateSessionToken(t.db, second.token)).session!;
    await invalidateSession(t.db, current.id);
    expect((await validateSessionToken(t.db, second.token)).session).toBeNull();
  });

  it('expires sessions after 30 days and slides the expiry when used in the second half', async () => {
    const r = await signUp(t.db, { email: email(), name: 'F', password });
    const start = (await validateSessionToken(t.db, r.token)).session!.expiresAt.getTime() - SESSION_TTL_MS;

    const early = await validateSessionToken(t.db, r.token, new Date(start + 5 * DAY));
    expect(early.renewed).toBe(false);

    const late = await validateSessionToken(t.db, r.token, new Date(start + 20 * DAY));
    expect(late.renewed).toBe(true);
    expect(late.session!.expiresAt.getTime()).toBe(start + 20 * DAY + SESSION_TTL_MS);

    // Still valid 45 days after sign-up thanks to the renewal, then gone once its new expiry passes.
    expect((await validateSessionToken(t.db, r.token, new Date(start + 45 * DAY))).session).not.toBeNull();
    const gone = await validateSessionToken(t.db, r.token, new Date(start + 45 * DAY + SESSION_TTL_MS + 1));
    expect(gone.session).toBeNull();
    const rows = await t.db.query('select 1 from sessions where id = $1', [hashToken(r.token)]);
    expect(rows).toHaveLength(0);
  });

  it('ignores malformed tokens', async () => {
    for (const token of ['', 'x', "' or 1=1 --", 'a'.repeat(4000)]) {
      expect((await validateSessionToken(t.db, token)).session).toBeNull();
    }
  });
});

describe('login rate limits', () => {
  it('limits attempts per email and address with a "try again in N s" message, and lets the user in after waiting', async () => {
    const e = email();
    await signUp(t.db, { email: e, name: 'G', password });
    let now = 1_000_000;
    const limiters = createLoginLimiters(t.db, () => now);
    for (let i = 0; i < 5; i++) {
      const err = await logIn(t.db, limiters, { email: e, password: 'nope nope' }, '10.1.0.1').catch(
        (x) => x
      );
      expect(err.code).toBe('unauthorized');
    }
    // From that address even the right password is refused while limited, so guessing there gains nothing…
    const limited = await logIn(t.db, limiters, { email: e, password }, '10.1.0.1').catch((x) => x);
    expect(limited.code).toBe('rate_limited');
    expect(limited.message).toBe('Too many login attempts. Try again in 30 s.');
    expect(limited.retryAfterS).toBe(30);

    now += 10_000;
    const stillLimited = await logIn(t.db, limiters, { email: e, password }, '10.1.0.1').catch((x) => x);
    expect(stillLimited.message).toBe('Too many login attempts. Try again in 20 s.');

    // …while the owner elsewhere is not locked out (tests/integration/login-limits.test.ts has the details).
    const elsewhere = await logIn(t.db, limiters, { email: e, password }, '10.1.0.99');
    expect(elsewhere.user.email).toBe(e);

    now += 20_000;
    const ok = await logIn(t.db, limiters, { email: e, password }, '10.1.0.1');
    expect(ok.user.email).toBe(e);
  });

  it('limits attempts per IP address across many emails', async () => {
    let now = 5_000_000;
    const limiters = createLoginLimiters(t.db, () => now);
    for (let i = 0; i < 30; i++) {
      const err = await logIn(t.db, limiters, { email: email(), password }, '10.2.0.1').catch((x) => x);
      expect(err.code).toBe('unauthorized');
    }
    const limited = await logIn(t.db, limiters, { email: email(), password }, '10.2.0.1').catch((x) => x);
    expect(limited.code).toBe('rate_limited');
    expect(limited.message).toMatch(/^Too many login attempts\. Try again in \d+ s\.$/);
    const otherIp = await logIn(t.db, limiters, { email: email(), password }, '10.2.0.2').catch((x) => x);
    expect(otherIp.code).toBe('unauthorized');
    now += 2_000;
    const later = await logIn(t.db, limiters, { email: email(), password }, '10.2.0.1').catch((x) => x);
    expect(later.code).toBe('unauthorized');
  });
});
