// Whether the server keeps a file-connection query process after a query (execute.ts keptAfter): the process's own
// word is necessary, and not enough for a DuckDB database file (its lock) or after DuckDB's own assertion failed.
import { describe, expect, it } from 'vitest';
import { keptAfter } from '../../server/connectors/duckdb/execute';

const done = { done: { rows: 1, truncated: false }, keep: true } as const;
const failed = (message: string, keep = true) =>
  ({ failed: { reason: undefined, memory: false, message }, keep }) as const;

describe('keptAfter', () => {
  it('keeps a Parquet file’s process that said it may run another query', () => {
    expect(keptAfter(done, '/data/sales.parquet')).toBe(true);
    expect(keptAfter(done, '/data/SALES.PARQUET')).toBe(true);
    expect(keptAfter(failed('Binder Error: Referenced column "x" not found'), '/data/sales.parquet')).toBe(
      true
    );
  });

  it('does not keep one that said no', () => {
    expect(keptAfter({ ...done, keep: false }, '/data/sales.parquet')).toBe(false);
    expect(keptAfter(failed('Parser Error: syntax error', false), '/data/sales.parquet')).toBe(false);
  });

  it('never keeps one for a DuckDB database file, which it would hold locked', () => {
    expect(keptAfter(done, '/data/shop.duckdb')).toBe(false);
    expect(keptAfter(done, '/data/shop.db')).toBe(false);
  });

  it('does not keep one whose query hit an INTERNAL or FATAL error', () => {
    for (const m of ['INTERNAL Error: Attempted to access index 3', 'FATAL Error: failed to flush'])
      expect(keptAfter(failed(m), '/data/sales.parquet'), m).toBe(false);
  });
});
