import { tableFromArrays, tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { encodeForStorage } from '../../src/lib/engine/stored-results';

const table = (n: number) =>
  tableFromArrays({
    id: Int32Array.from({ length: n }, (_, i) => i),
    label: Array.from({ length: n }, (_, i) => `row number ${i}`)
  });

describe('encodeForStorage', () => {
  it('stores a result that fits whole', () => {
    const r = encodeForStorage(table(1000), 1024 ** 2);
    expect(r.stored).toBe('full');
    expect(r.storedRows).toBe(1000);
    expect(tableFromIPC(r.ipc).numRows).toBe(1000);
  });

  it('keeps the first rows that fit under the limit and says it is a preview', () => {
    const limit = 200 * 1024;
    const r = encodeForStorage(table(100_000), limit);
    expect(r.stored).toBe('preview');
    expect(r.ipc.byteLength).toBeLessThanOrEqual(limit);
    const back = tableFromIPC(r.ipc);
    expect(back.numRows).toBe(r.storedRows);
    expect(r.storedRows).toBeGreaterThan(1000);
    expect(r.storedRows).toBeLessThan(100_000);
    expect(back.getChild('id')?.get(0)).toBe(0);
    expect(back.getChild('label')?.get(r.storedRows - 1)).toBe(`row number ${r.storedRows - 1}`);
  });
});
