// Connections to DuckDB and Parquet files in the server's data folder: queried through the browser's HTTP route,
// read-only and sandboxed (nothing else on the server's disk is reachable), with time limit, cancel and row cap.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverFile } from '../../server/connectors/duckdb/sandbox';
import { testDuckdb } from '../../server/connectors/duckdb/introspect';
import { connectionSchema } from '../../server/connectors/schema-cache';
import { createConnection } from '../../server/connectors/store';
import { startFilesServer, type FilesServer } from './helpers/files-server';
import { person } from './helpers/people';
import { ok, queryOverHttp } from './helpers/query-client';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
let server: FilesServer;
let owner: Awaited<ReturnType<typeof person>>;
let dataDir: string;
let outside: string;
const previous = process.env.SERVER_DATA_DIR;

beforeAll(async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'sheaf-serverfiles-'));
  dataDir = path.join(root, 'data');
  outside = path.join(root, 'secret.csv');
  await writeFile(outside, 'secret\nsesame\n');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dataDir);
  // The instance is closed too: it holds the file's write lock, and queries now open the file in another process.
  const instance = await DuckDBInstance.create(path.join(dataDir, 'shop.duckdb'));
  const build = await instance.connect();
  await build.run(`create table orders as
    select range::int as id, ['north','south','east','west'][1 + range % 4] as region, (range % 1000) / 4 as amount
      from range(200000)`);
  await build.run(
    `copy (select range as id, 'event ' || range as name from range(1000)) to '${path.join(dataDir, 'events.parquet')}'`
  );
  build.closeSync();
  instance.closeSync();
  process.env.SERVER_DATA_DIR = dataDir;
  t = await freshDb();
  server = await startFilesServer(t.db);
  owner = await person(t.db, 'Owner');
}, 60_000);

afterAll(async () => {
  if (previous === undefined) delete process.env.SERVER_DATA_DIR;
  else process.env.SERVER_DATA_DIR = previous;
  await server?.close();
  await t?.cleanup();
});

const connect = (file: string, over: Record<string, unknown> = {}) =>
  createConnection(t.db, server.box, {
    userId: owner.id,
    workspaceId: owner.workspaceId,
    input: { name: `File ${crypto.randomUUID().slice(0, 6)}`, kind: 'duckdb', path: file, ...over }
  });
const run = (id: string, sql: string) => queryOverHttp(server.port, owner.token, id, sql);

describe('DuckDB/Parquet files on the server', () => {
  it('answers queries over a DuckDB database and a Parquet file', async () => {
    const shop = await connect('shop.duckdb');
    const a = ok(
      await run(
        shop.id,
        'select region, count(*) as n, sum(amount) as total from orders group by region order by region'
      )
    );
    expect(a.table.toArray().map((r) => [r.region, Number(r.n), r.total])).toEqual([
      ['east', 50000, sumFor(2)],
      ['north', 50000, sumFor(0)],
      ['south', 50000, sumFor(1)],
      ['west', 50000, sumFor(3)]
    ]);
    const events = await connect('events.parquet');
    expect(
      ok(await run(events.id, 'select count(*) as n, max(name) as last from events'))
        .table.get(0)!
        .toJSON()
    ).toEqual({
      n: 1000n,
      last: 'event 999'
    });
  });

  it('refuses writes, and reading anything else on the server', async () => {
    const shop = await connect('shop.duckdb');
    for (const sql of [
      'insert into orders values (-1, null, 0)',
      'create table made_here as select 1',
      'drop table orders',
      `copy orders to '${path.join(dataDir, 'leak.csv')}'`,
      `select * from read_csv('${outside}')`,
      `attach '${path.join(dataDir, 'other.duckdb')}' as other`,
      'set enable_external_access = true'
    ]) {
      const a = await run(shop.id, sql);
      expect(a.kind, sql).toBe('error');
    }
    expect(
      ok(await run(shop.id, 'select count(*) as n from orders'))
        .table.get(0)!
        .toJSON().n
    ).toBe(200000n);
    await expect(connect('../secret.csv')).rejects.toThrow(/\.duckdb|\.parquet/);
    expect(() =>
      serverFile({ path: '../escape.duckdb', statementTimeoutS: 1, rowCap: 1, maxConcurrent: 1 })
    ).toThrow(/outside the server's data folder/);
    expect(
      await testDuckdb({ path: 'missing.duckdb', statementTimeoutS: 1, rowCap: 1, maxConcurrent: 1 })
    ).toMatchObject({
      ok: false,
      message: expect.stringContaining('There is no file "missing.duckdb"')
    });
  });

  it('stops a query at the time limit, and the connection stays usable', async () => {
    const shop = await connect('shop.duckdb', { statementTimeoutS: 1, maxConcurrent: 1 });
    const a = await run(shop.id, 'select sum(a.range * b.range) from range(200000) a, range(200000) b');
    expect(a).toMatchObject({ kind: 'error', error: { reason: 'timeout' } });
    expect(
      ok(await run(shop.id, 'select 1 as one'))
        .table.get(0)!
        .toJSON()
    ).toEqual({ one: 1 });
  });

  it('cuts results at the row cap and says so', async () => {
    const shop = await connect('shop.duckdb', { rowCap: 1000 });
    const a = ok(await run(shop.id, 'select * from orders'));
    expect(a.table.numRows).toBe(1000);
    expect(a.status.truncated).toBe(true);
    expect(ok(await run(shop.id, 'select * from orders limit 1000')).status.truncated).toBe(false);
  });

  it('lists the tables for the schema browser', async () => {
    const shop = await connect('shop.duckdb');
    const s = await connectionSchema(t.db, server.box, {
      userId: owner.id,
      connectionId: shop.id,
      refresh: false
    });
    expect(s.tables.map((x) => `${x.schema}.${x.name}`)).toContain('main.orders');
    const events = await connect('events.parquet');
    const e = await connectionSchema(t.db, server.box, {
      userId: owner.id,
      connectionId: events.id,
      refresh: false
    });
    expect(e.tables.map((x) => x.name)).toEqual(['events']);
  });
});

/** Sum of `(id % 1000) / 4` over the ids with `id % 4 === k`, below 200,000. */
function sumFor(k: number): number {
  let total = 0;
  for (let id = k; id < 200000; id += 4) total += (id % 1000) / 4;
  return total;
}
