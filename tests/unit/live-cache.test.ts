// The cache of viewers' re-runs: a key runs once however many ask, kept for its TTL within a byte budget (least
// recently used out first); a run stops only when every request waiting for it went away; failures are not kept.
import { describe, expect, it } from 'vitest';
import { SharedResultCache } from '../../server/publish/live-cache';

type V = { bytes: number; label: string };

/** A run that finishes when told to, counting how often it started and whether it was aborted. */
function controlledRuns() {
  const started: { key: string; signal: AbortSignal; finish: (v: V) => void; fail: (e: Error) => void }[] =
    [];
  const run = (key: string) => (signal: AbortSignal) =>
    new Promise<V>((finish, fail) => started.push({ key, signal, finish, fail }));
  return { started, run };
}

const value = (label: string, bytes = 10): V => ({ label, bytes });

describe('SharedResultCache', () => {
  it('runs a key once for concurrent requests and serves it from memory afterwards', async () => {
    const cache = new SharedResultCache<V>({ ttlMs: 1000, maxBytes: 1000, clock: () => 0 });
    const { started, run } = controlledRuns();
    let limited = 0;
    const before = () => void limited++;
    const a = cache.load('k', undefined, run('k'), before);
    const b = cache.load('k', undefined, run('k'), before);
    expect(started).toHaveLength(1);
    started[0]!.finish(value('one'));
    expect(await a).toEqual({ value: value('one'), served: 'ran' });
    expect(await b).toEqual({ value: value('one'), served: 'shared' });
    expect(await cache.load('k', undefined, run('k'), before)).toEqual({
      value: value('one'),
      served: 'cache'
    });
    expect(started).toHaveLength(1);
    expect(limited).toBe(1); // only the request that ran counted against its limit
  });

  it('asks again after the TTL', async () => {
    let now = 0;
    const cache = new SharedResultCache<V>({ ttlMs: 1000, maxBytes: 1000, clock: () => now });
    const { started, run } = controlledRuns();
    const first = cache.load('k', undefined, run('k'));
    started[0]!.finish(value('old'));
    await first;
    now = 999;
    expect((await cache.load('k', undefined, run('k'))).served).toBe('cache');
    now = 1000;
    const again = cache.load('k', undefined, run('k'));
    expect(started).toHaveLength(2);
    started[1]!.finish(value('new'));
    expect((await again).value.label).toBe('new');
  });

  it('keeps within its byte budget, dropping the least recently used', async () => {
    const cache = new SharedResultCache<V>({ ttlMs: 60_000, maxBytes: 100, clock: () => 0 });
    const fill = (key: string, bytes: number) => cache.load(key, undefined, async () => value(key, bytes));
    await fill('a', 25);
    await fill('b', 25);
    await fill('c', 25);
    await fill('a', 0); // read: a is now the most recently used
    await fill('d', 25);
    expect(cache.bytes).toBe(100);
    await fill('e', 20);
    expect(cache.peek('b')).toBeUndefined();
    expect(cache.peek('a')?.label).toBe('a');
    expect(cache.bytes).toBeLessThanOrEqual(100);
    await fill('huge', 26); // over a quarter of the budget: served, not kept
    expect(cache.peek('huge')).toBeUndefined();
    expect(cache.size).toBe(4);
  });

  it('refuses before running when the limit says so, and runs nothing', async () => {
    const cache = new SharedResultCache<V>({ ttlMs: 1000, maxBytes: 1000 });
    const { started, run } = controlledRuns();
    const refused = cache.load('k', undefined, run('k'), () => {
      throw new Error('limited');
    });
    await expect(refused).rejects.toThrow('limited');
    expect(started).toHaveLength(0);
  });

  it('stops a run only when every waiting request went away', async () => {
    const cache = new SharedResultCache<V>({ ttlMs: 1000, maxBytes: 1000 });
    const { started, run } = controlledRuns();
    const one = new AbortController();
    const two = new AbortController();
    const a = cache.load('k', one.signal, run('k'));
    const b = cache.load('k', two.signal, run('k'));
    one.abort(new Error('gone'));
    await expect(a).rejects.toThrow('gone');
    expect(started[0]!.signal.aborted).toBe(false);
    two.abort(new Error('gone too'));
    await expect(b).rejects.toThrow('gone too');
    expect(started[0]!.signal.aborted).toBe(true);
    // The aborted run is not joined, and what it returns is not kept.
    const c = cache.load('k', undefined, run('k'));
    expect(started).toHaveLength(2);
    started[0]!.finish(value('late'));
    started[1]!.finish(value('fresh'));
    expect((await c).value.label).toBe('fresh');
    expect(cache.peek('k')?.label).toBe('fresh');
  });

  it('does not keep failures: the next request runs again', async () => {
    const cache = new SharedResultCache<V>({ ttlMs: 1000, maxBytes: 1000 });
    const { started, run } = controlledRuns();
    const a = cache.load('k', undefined, run('k'));
    const b = cache.load('k', undefined, run('k'));
    started[0]!.fail(new Error('database down'));
    await expect(a).rejects.toThrow('database down');
    await expect(b).rejects.toThrow('database down');
    const c = cache.load('k', undefined, run('k'));
    expect(started).toHaveLength(2);
    started[1]!.finish(value('ok'));
    expect((await c).served).toBe('ran');
  });

  it('with no budget, keeps and shares nothing', async () => {
    const cache = new SharedResultCache<V>({ ttlMs: 1000, maxBytes: 0 });
    const { started, run } = controlledRuns();
    const a = cache.load('k', undefined, run('k'));
    const b = cache.load('k', undefined, run('k'));
    expect(started).toHaveLength(2);
    started.forEach((s) => s.finish(value('x')));
    expect((await a).served).toBe('ran');
    expect((await b).served).toBe('ran');
    expect(cache.size).toBe(0);
  });
});
