// The engine's warm-up runs only while no query wants the engine: a query sent meanwhile would wait behind it.
import type { AsyncDuckDB } from '@duckdb/duckdb-wasm';
import { describe, expect, it } from 'vitest';
import { warmUp } from '../../src/lib/engine/duckdb-loader';

/** Stands in for DuckDB-WASM (third-party, a worker we cannot start under Node): records what is sent to it. */
function recordingDb(onStatement: (n: number) => void = () => {}) {
  const sent: string[] = [];
  let closed = 0;
  const statement = async (what: string) => {
    sent.push(what);
    onStatement(sent.length);
  };
  const conn = {
    insertArrowTable: (_t: unknown, o: { name: string }) => statement(`create ${o.name}`),
    query: (sql: string) => statement(sql.trim().split(/\s+/).slice(0, 2).join(' ')),
    close: async () => void closed++
  };
  const db = { connect: async () => conn } as unknown as AsyncDuckDB;
  return { db, sent, closed: () => closed };
}

describe('warmUp', () => {
  it('runs every kind of statement a first run needs, then drops its table, when nothing asks', async () => {
    const { db, sent, closed } = recordingDb();
    await warmUp(db, () => true);
    expect(sent).toEqual([
      'create __sheaf_warm_up',
      'select table_type',
      'explain select',
      'select k',
      'drop table'
    ]);
    expect(closed()).toBe(1);
  });

  it('gives way before its next statement once a query asks, and still drops its table', async () => {
    let idle = true;
    const { db, sent, closed } = recordingDb((n) => n === 2 && (idle = false));
    await warmUp(db, () => idle);
    expect(sent).toEqual(['create __sheaf_warm_up', 'select table_type', 'drop table']);
    expect(closed()).toBe(1);
  });

  it('sends nothing when a query asked before it began', async () => {
    const { db, sent, closed } = recordingDb();
    await warmUp(db, () => false);
    expect(sent).toEqual([]);
    expect(closed()).toBe(0);
  });
});
