// Token buckets kept in the app database (server/auth/rate-limit.ts): the arithmetic, pruning, and concurrent takes.
// Two app servers sharing them: tests/integration/limits-servers.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneRateLimits, RateLimiter } from '../../server/auth/rate-limit';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => t.cleanup());

let n = 0;
/** A limiter of its own (keys are per name), on a clock the test moves. */
function limiter(capacity: number, refillEveryMs: number, clock: () => number) {
  return new RateLimiter(t.db, `test${n++}`, { capacity, refillEveryMs }, clock);
}

describe('RateLimiter', () => {
  it('allows a burst up to capacity, then refills one token per period', async () => {
    let now = 0;
    const rl = limiter(3, 1000, () => now);
    const three = [await rl.consume('k'), await rl.consume('k'), await rl.consume('k')];
    expect(three.every((r) => r.ok)).toBe(true);
    expect(await rl.consume('k')).toEqual({ ok: false, retryAfterS: 1 });
    expect((await rl.consume('other')).ok).toBe(true);
    now += 1000;
    expect((await rl.consume('k')).ok).toBe(true);
    expect((await rl.consume('k')).ok).toBe(false);
  });

  it('rounds the wait up to whole seconds and forgets a key on reset', async () => {
    let now = 0;
    const rl = limiter(1, 30_000, () => now);
    await rl.consume('k');
    now += 100;
    expect(await rl.consume('k')).toEqual({ ok: false, retryAfterS: 30 });
    await rl.reset('k');
    expect((await rl.consume('k')).ok).toBe(true);
  });

  it('peeks without taking a token', async () => {
    const rl = limiter(1, 10_000, () => 0);
    expect((await rl.peek('k')).ok).toBe(true);
    expect((await rl.peek('k')).ok).toBe(true);
    await rl.consume('k');
    expect(await rl.peek('k')).toEqual({ ok: false, retryAfterS: 10 });
  });

  it('keeps limiters with different names apart', async () => {
    const a = limiter(1, 60_000, () => 0);
    const b = limiter(1, 60_000, () => 0);
    expect((await a.consume('k')).ok).toBe(true);
    expect((await b.consume('k')).ok).toBe(true);
    expect((await a.consume('k')).ok).toBe(false);
  });

  it('prunes only buckets that are full again, so pruning forgives nobody', async () => {
    let now = 1_000_000;
    const spent = new RateLimiter(t.db, 'prune.spent', { capacity: 2, refillEveryMs: 60_000 }, () => now);
    const rested = new RateLimiter(t.db, 'prune.rested', { capacity: 2, refillEveryMs: 1_000 }, () => now);
    await spent.consume('k');
    await spent.consume('k');
    await rested.consume('k');
    now += 1_000;
    await pruneRateLimits(t.db, now);
    const keys = await t.db.query<{ key: string }>("select key from rate_limits where key like 'prune.%'");
    expect(keys.map((r) => r.key)).toEqual(['prune.spent|k']);
    expect((await spent.consume('k')).ok).toBe(false);
  });
});

describe('many requests at once', () => {
  it('hand out exactly the capacity (on PostgreSQL, over several pooled connections)', async () => {
    const rl = new RateLimiter(t.db, 'concurrent', { capacity: 10, refillEveryMs: 3_600_000 });
    const answers = await Promise.all(Array.from({ length: 30 }, () => rl.consume('one key')));
    expect(answers.filter((r) => r.ok)).toHaveLength(10);
  });
});
