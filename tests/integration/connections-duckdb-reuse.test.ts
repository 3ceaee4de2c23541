// A file connection's query process is kept for the connection's next query on the same file (query-pool.ts):
// nothing one query leaves behind reaches the next one there, a process that timed out, crashed or was left in
// doubt is never used again and the next query still works, two connections never share a process, even on the
// same file, a DuckDB database file is not held open between queries, and a process is not kept past its age.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dropIdleChildren, KEPT_MOST_AGE_MS, keptChildren } from '../../server/connectors/duckdb/query-child';
import type { FileSettings } from '../../server/connectors/settings';
import type { FileConnection } from '../../server/connectors/store';
import { newConnectionId, newWorkspaceId } from '../../server/ids';
import { literal } from '../../cells/sql/quote';
import { collect, failure, gone } from './helpers/duckdb-queries';
import { shopFiles, type ShopFiles } from './helpers/shop-files';

/** json_structure recurses once per level: 100,000 levels overflow DuckDB's stack (SIGSEGV). */
const CRASH = "select json_structure(repeat('[', 100000) || repeat(']', 100000)) as s";
const SLOW = 'select count(*) from range(1000000000000)';

let shop: ShopFiles;

beforeAll(async () => {
  shop = await shopFiles('sheaf-duckdb-reuse-', (build, dataDir) =>
    build.run(
      `copy (select range::int as id, 'c' || (range % 3) as category from range(300)) to ${literal(path.join(dataDir, 'sales.parquet'))} (format parquet)`
    )
  );
}, 60_000);

afterEach(() => dropIdleChildren());

afterAll(async () => {
  await shop?.done();
});

const connection = (over: Partial<FileSettings> = {}): FileConnection => ({
  id: newConnectionId(),
  workspaceId: newWorkspaceId(),
  name: 'Sales',
  password: undefined,
  version: '1',
  kind: 'duckdb',
  settings: { path: 'sales.parquet', statementTimeoutS: 60, rowCap: 1_000_000, maxConcurrent: 4, ...over }
});

/** The query's rows as plain objects. */
async function rows(conn: FileConnection, sql: string) {
  const { batches } = await collect(conn, sql);
  return batches.flatMap((b) => b.toArray().map((r) => r.toJSON() as Record<string, unknown>));
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('a kept query process', () => {
  it('runs the next query on a connection of its own: session state set by a SELECT does not carry over', async () => {
    const conn = connection();
    // setseed() is a SELECT that seeds the connection's random numbers: on the same connection, the next
    // random() would be this one.
    const local = await (await DuckDBInstance.create(':memory:')).connect();
    await local.run('select setseed(0.42)');
    const seeded = (await local.runAndReadAll('select random() as r')).getRows()[0]![0];
    expect(await rows(conn, 'select setseed(0.42) as s')).toHaveLength(1);
    const [served] = keptChildren();
    expect(served).toBeDefined();
    const [next] = await rows(conn, 'select random() as r');
    expect(keptChildren()).toEqual([served]); // the same process answered, and was kept again
    expect(next!.r).not.toBe(seeded);
  }, 60_000);

  it('does not keep a process whose query created anything, so the next query sees none of it', async () => {
    const conn = connection();
    const sales = async () => (await rows(conn, 'select count(*)::int as n from sales'))[0]!.n;
    expect(await sales()).toBe(300);
    const [first] = keptChildren();
    const leaks = [
      'create temp table leak as select 1 as x',
      'create temp macro leak() as 1',
      'create table leak as select 1 as x',
      `create or replace view sales as select 'evil' as n`,
      'create macro leak() as 1',
      "attach ':memory:' as leak",
      "prepare leak as select 'evil' as n",
      'set variable leak = 1',
      // Several statements: the last is a SELECT, an earlier one is not.
      'create table leak as select 1 as x; select 1 as n'
    ];
    for (const sql of leaks) {
      const before = keptChildren();
      await failure(collect(conn, sql)); // most say they return no rows; what they did is done
      // Not kept, whether it created something or not: what it did cannot be undone with certainty.
      expect(keptChildren(), sql).toEqual([]);
      for (const pid of before) expect(await gone(pid), sql).toBe(true);
      expect(await sales(), sql).toBe(300);
      for (const probe of ['select * from leak', 'select leak()', 'execute leak'])
        expect(await failure(rows(conn, probe)), `${sql}; ${probe}`).toMatchObject({ reason: 'sql' });
      expect(await rows(conn, "select getvariable('leak') as v"), sql).toEqual([{ v: null }]);
      const attached = "select count(*)::int as n from duckdb_databases() where database_name = 'leak'";
      expect(await rows(conn, attached), sql).toEqual([{ n: 0 }]);
    }
    expect(first).toBeDefined();
  }, 180_000);

  it('does not keep a process whose SELECT changed the instance, despite its locked configuration', async () => {
    const conn = connection();
    const logging = async () =>
      (await rows(conn, "select current_setting('enable_logging')::varchar as v"))[0]!.v;
    const off = await logging();
    const [first] = keptChildren();
    await collect(conn, 'select * from enable_logging()');
    expect(keptChildren()).toEqual([]);
    expect(await gone(first!)).toBe(true);
    expect(await logging()).toBe(off);
  }, 60_000);

  it('cannot write into its own file through DuckDB’s file logging, which the file access list would allow', async () => {
    const conn = connection();
    const file = path.join(process.env.SERVER_DATA_DIR!, 'sales.parquet');
    const before = await readFile(file);
    for (const sql of [
      `select * from enable_logging(storage := 'file', storage_path := '${file}', storage_normalize := false)`,
      `call enable_logging(storage = 'file', storage_path = '${file}')`,
      `select * from enable_logging(storage_path := '${file}')`
    ]) {
      await failure(collect(conn, `${sql}; select write_log('written by a query') as w`));
      await failure(collect(conn, "select write_log('written by a query') as w"));
      expect((await readFile(file)).equals(before), sql).toBe(true);
      expect(await rows(conn, 'select count(*)::int as n from sales'), sql).toEqual([{ n: 300 }]);
    }
  }, 120_000);

  it('is killed after a timeout, and the next query runs in another process', async () => {
    const conn = connection({ statementTimeoutS: 1 });
    expect(await rows(conn, 'select 1 as n')).toEqual([{ n: 1 }]);
    const [first] = keptChildren();
    const e = await failure(collect(conn, SLOW));
    expect(e).toMatchObject({ reason: 'timeout' });
    expect(await gone(first!)).toBe(true);
    expect(await rows(conn, 'select 2 as n')).toEqual([{ n: 2 }]);
    expect(keptChildren()).toHaveLength(1);
    expect(keptChildren()).not.toContain(first);
  }, 60_000);

  it('is killed when cancelled, and the next query runs in another process', async () => {
    const conn = connection();
    expect(await rows(conn, 'select 1 as n')).toEqual([{ n: 1 }]);
    const [first] = keptChildren();
    const cancel = new AbortController();
    const slow = failure(collect(conn, SLOW, { signal: cancel.signal }));
    await new Promise((r) => setTimeout(r, 300));
    cancel.abort('client');
    expect(await slow).toMatchObject({ reason: 'cancelled' });
    expect(await gone(first!)).toBe(true);
    expect(await rows(conn, 'select 2 as n')).toEqual([{ n: 2 }]);
  }, 60_000);

  it('crashing does not poison the pool: the same connection answers at once, even many queries together', async () => {
    const conn = connection({ maxConcurrent: 2 });
    await Promise.all([rows(conn, 'select 1 as n'), rows(conn, 'select 1 as n')]);
    const before = keptChildren();
    expect(before.length).toBeGreaterThan(0);
    const crashed = await failure(collect(conn, CRASH));
    expect(crashed).toMatchObject({ reason: 'sql', message: expect.stringMatching(/more memory/) });
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, k) => rows(conn, `select ${k} as k, count(*)::int as n from sales`))
    );
    expect(answers.map((r) => r[0])).toEqual(Array.from({ length: 6 }, (_, k) => ({ k, n: 300 })));
    // At most two kept for a connection that runs two at a time, the crashed one not among them.
    expect(keptChildren().length).toBeLessThanOrEqual(2);
  }, 120_000);

  it('never serves another connection, nor another file', async () => {
    const parquet = connection();
    const sameFile = connection();
    const duck = connection({ path: 'shop.duckdb' });
    expect(await rows(parquet, 'select count(*)::int as n from sales')).toEqual([{ n: 300 }]);
    expect(await rows(sameFile, 'select count(*)::int as n from sales')).toEqual([{ n: 300 }]);
    const two = keptChildren();
    expect(new Set(two).size).toBe(2);
    expect(await rows(duck, 'select count(*)::int as n from orders')).toEqual([{ n: 1000 }]);
    // Each connection again: its own process answers, and its file's own tables are all it sees.
    expect(await failure(rows(parquet, 'select * from orders'))).toMatchObject({ reason: 'sql' });
    expect(await failure(rows(sameFile, 'select * from orders'))).toMatchObject({ reason: 'sql' });
    expect(await failure(rows(duck, 'select * from sales'))).toMatchObject({ reason: 'sql' });
    expect(sorted(keptChildren())).toEqual(sorted(two));
  }, 120_000);

  it('does not hold a DuckDB database file: right after a query, a writer can open it', async () => {
    const duck = connection({ path: 'shop.duckdb' });
    expect(await rows(duck, 'select count(*)::int as n from orders')).toEqual([{ n: 1000 }]);
    expect(keptChildren()).toEqual([]);
    // A kept process would hold the file's lock, and this would fail with "Could not set lock on file".
    const writer = await DuckDBInstance.create(path.join(process.env.SERVER_DATA_DIR!, 'shop.duckdb'));
    const w = await writer.connect();
    await w.run('insert into orders values (1000)');
    w.closeSync();
    writer.closeSync();
    expect(await rows(duck, 'select count(*)::int as n from orders')).toEqual([{ n: 1001 }]);
  }, 60_000);

  it('is not kept past its age, whatever it says of itself', async () => {
    const conn = connection();
    expect(await rows(conn, 'select 1 as n')).toEqual([{ n: 1 }]);
    const [first] = keptChildren();
    expect(first).toBeDefined();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + KEPT_MOST_AGE_MS);
      // It answers this one (taken before its age is looked at), and is not kept after it.
      expect(await rows(conn, 'select 2 as n')).toEqual([{ n: 2 }]);
    } finally {
      vi.useRealTimers();
    }
    expect(keptChildren()).toEqual([]);
    await expect.poll(() => gone(first!)).toBe(true);
  }, 60_000);
});
