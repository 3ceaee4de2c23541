// The pool of kept file-connection query processes (server/connectors/duckdb/query-pool.ts): what it hands out
// for a key, what it bounds, and what it forgets. Its processes here are stand-ins that record what the pool did
// to them; that real processes are reused, and safely, is tests/integration/connections-duckdb-reuse.test.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChildPool, type Poolable } from '../../server/connectors/duckdb/query-pool';

class Stand implements Poolable {
  killed = false;
  held = true;
  waiting = false;
  private end!: () => void;
  exited = new Promise<void>((resolve) => (this.end = resolve));
  constructor(readonly name: string) {}
  ended = () => this.killed;
  kill = () => {
    this.killed = true;
    this.end();
  };
  hold = (on: boolean) => void (this.held = on);
  idle = (on: boolean) => void (this.waiting = on);
}

afterEach(() => vi.useRealTimers());

describe('ChildPool', () => {
  it('hands a waiting process back only for its own key, and lets it keep nobody alive while it waits', () => {
    const pool = new ChildPool<Stand>(4, 60_000);
    const a = new Stand('a');
    pool.give('file A', 'conn 1', a, 2);
    expect(a).toMatchObject({ held: false, waiting: true, killed: false });
    expect(pool.take('file B', 'conn 2')).toBeNull();
    expect(pool.take('file A', 'conn 1')).toBe(a);
    expect(a).toMatchObject({ held: true, waiting: false });
    expect(pool.take('file A', 'conn 1')).toBeNull(); // taken: not handed out twice
  });

  it('keeps at most `perKey` for a key and `total` in all, ending the oldest', () => {
    const pool = new ChildPool<Stand>(3, 60_000);
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((n) => new Stand(n));
    pool.give('A', '1', a!, 2);
    pool.give('A', '1', b!, 2);
    pool.give('A', '1', c!, 2);
    expect(a!.killed).toBe(true);
    expect(pool.children()).toEqual([b, c]);
    pool.give('B', '2', d!, 2);
    pool.give('C', '3', e!, 2);
    expect(b!.killed).toBe(true);
    expect(pool.children()).toEqual([c, d, e]);
  });

  it("ends a connection's processes kept for its old file when it asks for another", () => {
    const pool = new ChildPool<Stand>(4, 60_000);
    const old = new Stand('old');
    const other = new Stand('other');
    pool.give('conn 1, file as it was', 'conn 1', old, 2);
    pool.give('conn 2, file', 'conn 2', other, 2);
    expect(pool.take('conn 1, file replaced', 'conn 1')).toBeNull();
    expect(old.killed).toBe(true);
    expect(other.killed).toBe(false);
  });

  it('forgets a process that died while waiting, and ends one left idle too long', async () => {
    vi.useFakeTimers();
    const pool = new ChildPool<Stand>(4, 1000);
    const crashed = new Stand('crashed');
    const idle = new Stand('idle');
    pool.give('A', '1', crashed, 2);
    pool.give('B', '2', idle, 2);
    crashed.kill();
    await crashed.exited;
    await Promise.resolve();
    expect(pool.children()).toEqual([idle]);
    expect(pool.take('A', '1')).toBeNull();
    vi.advanceTimersByTime(1001);
    expect(idle.killed).toBe(true);
    expect(pool.children()).toEqual([]);
  });

  it('drops everything it keeps', async () => {
    const pool = new ChildPool<Stand>(4, 60_000);
    const all = [new Stand('a'), new Stand('b')];
    all.forEach((s, i) => pool.give(`k${i}`, `c${i}`, s, 2));
    await pool.drop();
    expect(all.map((s) => s.killed)).toEqual([true, true]);
    expect(pool.children()).toEqual([]);
  });
});
