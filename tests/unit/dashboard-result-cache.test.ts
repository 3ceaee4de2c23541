// A dashboard page's cache of recomputed results (src/lib/dashboard/result-cache.ts): kept by key, within its byte
// budget, the least recently used going first; a result too big for it is not kept.
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ResultCache } from '../../src/lib/dashboard/result-cache';

/** A table of `n` doubles: 8 bytes a row. */
const rows = (n: number) => tableFromArrays({ x: Float64Array.from({ length: n }, (_, i) => i) });

describe('ResultCache', () => {
  it('gives back what it was given, by key', () => {
    const cache = new ResultCache(10_000);
    const a = rows(10);
    cache.set('a', a);
    expect(cache.get('a')).toBe(a);
    expect(cache.get('b')).toBeUndefined();
  });

  it('keeps within its budget, dropping the least recently used first', () => {
    const cache = new ResultCache(8 * 400); // room for four tables of 100 rows
    for (const k of ['a', 'b', 'c', 'd']) cache.set(k, rows(100));
    cache.get('a'); // used again: now b is the oldest
    cache.set('e', rows(100));
    expect(cache.get('b')).toBeUndefined();
    for (const k of ['a', 'c', 'd', 'e']) expect(cache.get(k)).toBeDefined();
    expect(cache.size).toBe(4);
  });

  it('does not keep a result bigger than a quarter of its budget', () => {
    const cache = new ResultCache(8 * 400);
    cache.set('small', rows(10));
    cache.set('big', rows(101)); // 808 bytes > 800
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('small')).toBeDefined();
  });

  it('counts a key set again once', () => {
    const cache = new ResultCache(8 * 400);
    for (let i = 0; i < 10; i++) cache.set('a', rows(100));
    for (const k of ['b', 'c', 'd']) cache.set(k, rows(100));
    expect(cache.size).toBe(4);
    expect(cache.get('a')).toBeDefined();
  });
});
