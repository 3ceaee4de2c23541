// Inputs bound as real parameters through the connection query route, on real PostgreSQL, MariaDB and native
// DuckDB: values (hostile ones too) arrive as data, typed as the SQL says, and the database's statement text
// holds placeholders, never the values.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnection } from '../../server/connectors/store';
import { startFilesServer, type FilesServer } from './helpers/files-server';
import { person } from './helpers/people';
import { eventually, ok, queryOverHttp, type Answer } from './helpers/query-client';
import { postgresSettings, sampleDb, type SampleDb } from './helpers/sample-db';
import { mysqlSettings, sampleMysql, type SampleMysql } from './helpers/sample-mysql';
import { freshDb, type TestDb } from './helpers/test-db';

const ROWS = 2000;
const EVIL = "'; drop table orders; --";
const ODD = 'é "quoted" it\'s \\ {braces,} 😀 NULL';

let t: TestDb;
let server: FilesServer;
let owner: Awaited<ReturnType<typeof person>>;
let pg: SampleDb;
let my: SampleMysql;
let dataDir: string;
const previous = process.env.SERVER_DATA_DIR;

beforeAll(async () => {
  dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'sheaf-params-')), 'data');
  await mkdir(dataDir);
  const instance = await DuckDBInstance.create(path.join(dataDir, 'shop.duckdb'));
  const build = await instance.connect();
  await build.run(`create table orders as
    select range::int as id, ['north','south','east','west'][1 + range % 4] as region,
           (range % 1000) / 4 as amount, date '2024-01-01' + (range % 365)::int as ordered_on
      from range(1, ${ROWS + 1})`);
  build.closeSync();
  instance.closeSync();
  process.env.SERVER_DATA_DIR = dataDir;
  [pg, my, t] = await Promise.all([sampleDb(ROWS), sampleMysql(ROWS), freshDb()]);
  server = await startFilesServer(t.db);
  owner = await person(t.db, 'Owner');
}, 120_000);

afterAll(async () => {
  if (previous === undefined) delete process.env.SERVER_DATA_DIR;
  else process.env.SERVER_DATA_DIR = previous;
  await server?.close();
  await t?.cleanup();
  await pg?.cleanup();
  await my?.cleanup();
});

const connect = (input: Record<string, unknown>) =>
  createConnection(t.db, server.box, {
    userId: owner.id,
    workspaceId: owner.workspaceId,
    input: { name: `Params ${crypto.randomUUID().slice(0, 6)}`, ...input }
  });
const run = (id: string, sql: string, inputs?: Record<string, unknown>) =>
  queryOverHttp(server.port, owner.token, id, sql, inputs);
const rows = (a: Answer) =>
  ok(a)
    .table.toArray()
    .map((r) => r.toJSON() as Record<string, unknown>);
const num = (a: Answer, column = 'n') => Number(rows(a)[0]![column]);

const text = (value: string | null) => ({ type: 'text', value });
const number = (value: number | null) => ({ type: 'number', value });
const date = (value: string | null) => ({ type: 'date', value });
const range = (start: string, end: string) => ({ type: 'date_range', start, end });
const texts = (value: string[]) => ({ type: 'text_list', value });
const numbers = (value: number[]) => ({ type: 'number_list', value });

/** The values each database's bound queries are compared with its literal ones for. */
const FILTERS = {
  region: text('west'),
  min: number(100.5),
  period: range('2024-02-01', '2024-02-29'),
  regions: texts(['north', 'east']),
  ids: numbers([1, 2, 3, 99999]),
  none: texts([])
};

describe('PostgreSQL', () => {
  let id: string;
  let orders: string;
  beforeAll(async () => {
    id = (await connect(postgresSettings(pg))).id;
    orders = `${pg.schema}.orders`;
  });
  const native = async (sql: string) => Number((await pg.admin.unsafe(sql))[0]!.n);

  it('filters by text, number, date range and lists as the same literal query does', async () => {
    const inputs = FILTERS;
    const cases: [string, string][] = [
      ['region = {{region}}', "region = 'west'"],
      ['amount > {{min}}', 'amount > 100.5'],
      [
        'ordered_on between {{period.start}} and {{period.end}}',
        "ordered_on between '2024-02-01' and '2024-02-29'"
      ],
      ['region = any({{regions}})', "region in ('north', 'east')"],
      ['id = any({{ids}})', 'id in (1, 2, 3, 99999)'],
      ['region = any({{none}})', 'false'],
      ['not region = any({{none}})', 'true']
    ];
    for (const [bound, literal] of cases) {
      const got = num(await run(id, `select count(*) as n from ${orders} where ${bound}`, inputs));
      expect(got, bound).toBe(await native(`select count(*) as n from ${orders} where ${literal}`));
    }
    expect(num(await run(id, `select count(*) as n from ${orders} where id = any({{ids}})`, inputs))).toBe(3);
  });

  it('types values: number as bigint/numeric, date as DATE, NULL stays typed', async () => {
    const r = rows(
      await run(
        id,
        `select pg_typeof({{n}})::text as n, pg_typeof({{x}})::text as x, pg_typeof({{d}})::text as d,
                {{d}} + 1 as next, {{x}} * 2 as twice, {{nothing}} is null as empty, pg_typeof({{nothing}})::text as nt`,
        { n: number(7), x: number(1.25), d: date('2024-02-28'), nothing: date(null) }
      )
    )[0]!;
    expect(r).toMatchObject({ n: 'bigint', x: 'numeric', d: 'date', twice: 2.5, empty: true, nt: 'date' });
    expect(new Date(r.next as number).toISOString().slice(0, 10)).toBe('2024-02-29');
  });

  it('takes an injection attempt as data, and the tables are untouched', async () => {
    for (const evil of [EVIL, '1 or 1=1', "') union select 1 --"]) {
      expect(
        num(await run(id, `select count(*) as n from ${orders} where region = {{r}}`, { r: text(evil) }))
      ).toBe(0);
    }
    expect(
      num(
        await run(id, `select count(*) as n from ${orders} where region = any({{r}})`, {
          r: texts([EVIL, 'west'])
        })
      )
    ).toBe(ROWS / 4);
    expect(await native(`select count(*) as n from ${orders}`)).toBe(ROWS);
  });

  it('round-trips Unicode, quotes, backslashes and braces, alone and in lists', async () => {
    const r = rows(
      await run(id, `select {{t}}::text as t, array_to_string({{l}}::text[], '|') as l`, {
        t: text(ODD),
        l: texts([ODD, 'b,c', '"'])
      })
    )[0]!;
    expect(r).toEqual({ t: ODD, l: `${ODD}|b,c|"` });
  });

  it('sends placeholders: the statement PostgreSQL runs holds no value', async () => {
    // COPY (the path SELECTs take) cannot take parameters: the value reaches it through a bound setting.
    const r = rows(
      await run(id, `select current_query() as q from ${orders} where region = {{r}} limit 1`, {
        r: text('west')
      })
    )[0]!;
    expect(r.q).toContain("current_setting('sheaf.param_1')");
    expect(r.q).not.toContain('west');
    // EXPLAIN is read whole, its $1 bound: the plan shows the whole value as one constant.
    const plan = rows(
      await run(id, `explain select * from ${orders} where region = {{r}}`, { r: text(EVIL) })
    );
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain(
      "(region = '''; drop table orders; --'::text)"
    );
  });

  it('keeps the jsonb ? operator, infers uuid for a text value, and maps error positions back', async () => {
    const r = rows(
      await run(
        id,
        `select '{"a": 1}'::jsonb ? 'a' as has, count(*) as n from ${orders} where token = {{tok}}`,
        {
          tok: text('c4ca4238-a0b9-2382-0dcc-509a6f75849b') // md5('1')
        }
      )
    )[0]!;
    expect(r).toEqual({ has: true, n: 1n });
    const sql = `select {{ids}}, nosuchcolumn from ${orders}`;
    const a = await run(id, sql, { ids: numbers([1, 2]) });
    expect(a.kind).toBe('error');
    if (a.kind === 'error') expect(a.error.position).toBe(sql.indexOf('nosuchcolumn') + 1);
  });

  it('refuses an unknown input by name, where it is', async () => {
    const sql = 'select 1 where {{regoin}} is null';
    const a = await run(id, sql, { region: text('x') });
    expect(a).toMatchObject({
      kind: 'error',
      status: 400,
      error: { message: 'There is no input named regoin — did you mean region?', position: 16 }
    });
    const wrongType = await run(id, 'select {{n}}', { n: { type: 'number', value: 'five' } });
    expect(wrongType).toMatchObject({ kind: 'error', status: 400 });
  });

  it('refuses oversized or malformed values before the database sees them, and answers the next query', async () => {
    const hostile: Record<string, unknown>[] = [
      { r: texts(Array.from({ length: 1001 }, (_, i) => `v${i}`)) }, // a list longer than an input may hold
      Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`i${i}`, number(i)])), // too many inputs
      { r: text('a\u0000b') }, // PostgreSQL text cannot hold NUL
      { r: date('2023-02-29') }, // a day that does not exist
      { 'r; drop table x': text('x') } // not an input name
    ];
    for (const inputs of hostile)
      expect(await run(id, 'select {{r}} as r', inputs), JSON.stringify(inputs).slice(0, 60)).toMatchObject({
        kind: 'error',
        status: 400
      });
    expect(num(await run(id, 'select {{n}} as n', { n: number(7) }))).toBe(7);
  });
});

describe('MariaDB', () => {
  let id: string;
  beforeAll(async () => {
    id = (await connect(mysqlSettings(my))).id;
  });
  const native = async (sql: string) => {
    const [r] = await my.admin.query(sql);
    return Number((r as { n: number }[])[0]!.n);
  };
  const preparedCount = async () => {
    const [r] = await my.admin.query(`show global status like 'Prepared_stmt_count'`);
    return Number((r as { Value: string }[])[0]!.Value);
  };

  it('filters by text, number, date range and lists as the same literal query does', async () => {
    const inputs = FILTERS;
    const orders = `${my.database}.orders`;
    const cases: [string, string][] = [
      ['region = {{region}} and region = {{region}}', "region = 'west'"],
      ['amount > {{min}}', 'amount > 100.5'],
      [
        'ordered_on between {{period.start}} and {{period.end}}',
        "ordered_on between '2024-02-01' and '2024-02-29'"
      ],
      ['region in ({{regions}})', "region in ('north', 'east')"],
      ['id in ({{ids}})', 'id in (1, 2, 3, 99999)'],
      ['region in ({{none}})', 'false'],
      ['region not in ({{none}})', 'true']
    ];
    for (const [bound, literal] of cases) {
      const got = num(await run(id, `select count(*) as n from orders where ${bound}`, inputs));
      expect(got, bound).toBe(await native(`select count(*) as n from ${orders} where ${literal}`));
    }
  });

  it('types dates as DATE and integers as integers', async () => {
    const r = rows(
      await run(id, 'select {{d}} + interval 1 day as next, {{n}} div 2 as half, {{x}} * 2 as twice', {
        d: date('2024-02-28'),
        n: number(7),
        x: number(1.25)
      })
    )[0]!;
    expect(new Date(r.next as number).toISOString().slice(0, 10)).toBe('2024-02-29');
    expect(Number(r.half)).toBe(3);
    expect(r.twice).toBe(2.5);
  });

  it('takes an injection attempt as data, round-trips odd text, and the tables are untouched', async () => {
    for (const evil of [EVIL, '1 or 1=1', "') union select 1 --"]) {
      expect(
        num(await run(id, 'select count(*) as n from orders where region = {{r}}', { r: text(evil) }))
      ).toBe(0);
    }
    expect(
      num(
        await run(id, 'select count(*) as n from orders where region in ({{r}})', {
          r: texts([EVIL, 'west'])
        })
      )
    ).toBe(ROWS / 4);
    expect(rows(await run(id, 'select {{t}} as t', { t: text(ODD) }))[0]!.t).toBe(ODD);
    expect(await native(`select count(*) as n from ${my.database}.orders`)).toBe(ROWS);
  });

  it('sends placeholders as a prepared statement, and closes it afterwards', async () => {
    const before = await preparedCount();
    const r = rows(
      await run(
        id,
        'select (select info from information_schema.processlist where id = connection_id()) as q, {{r}} as r',
        { r: text('needle-value') }
      )
    )[0]!;
    expect(r.r).toBe('needle-value');
    expect(r.q).toContain('?');
    expect(r.q).not.toContain('needle-value');
    // The statement's close is sent without an answer: give the server a moment to take it.
    expect(await eventually(async () => (await preparedCount()) <= before, 3000)).toBe(true);
  });
});

describe('DuckDB file', { timeout: 120_000 }, () => {
  let id: string;
  beforeAll(async () => {
    id = (await connect({ kind: 'duckdb', path: 'shop.duckdb' })).id;
  });
  const count = (where: string, inputs: Record<string, unknown>) =>
    run(id, `select count(*) as n from orders where ${where}`, inputs).then((a) => num(a));

  it('filters and types as the same literal query does', async () => {
    const inputs = {
      region: text('west'),
      period: range('2024-02-01', '2024-02-29'),
      regions: texts(['north', 'east']),
      ids: numbers([1, 2, 3, 99999]),
      none: texts([])
    };
    const cases: [string, string][] = [
      ['region = {{region}}', "region = 'west'"],
      [
        'ordered_on between {{period.start}} and {{period.end}}',
        "ordered_on between '2024-02-01' and '2024-02-29'"
      ],
      ['list_contains({{regions}}, region)', "region in ('north', 'east')"],
      ['region in (select unnest({{regions}}))', "region in ('north', 'east')"],
      ['list_contains({{ids}}, id)', 'id in (1, 2, 3, 99999)'],
      ['list_contains({{none}}, region)', 'false'],
      ['not list_contains({{none}}, region)', 'true']
    ];
    // One query each way (every query starts a DuckDB process).
    const counts = (wheres: string[]) =>
      `select ${wheres.map((w, i) => `count(*) filter (where ${w}) as c${i}`).join(', ')} from orders`;
    const bound = rows(await run(id, counts(cases.map((c) => c[0])), inputs))[0]!;
    const native = rows(await run(id, counts(cases.map((c) => c[1]))))[0]!;
    expect(Object.values(bound).map(Number)).toEqual(Object.values(native).map(Number));
    expect(Number(bound.c4)).toBe(3);
    const r = rows(
      await run(id, 'select typeof({{d}}) as d, typeof({{n}}) as n, typeof({{x}}) as x, {{d}} + 1 as next', {
        d: date('2024-02-28'),
        n: number(7),
        x: number(1.5)
      })
    )[0]!;
    expect(r).toMatchObject({ d: 'DATE', n: 'BIGINT', x: 'DOUBLE' });
    expect(new Date(r.next as number).toISOString().slice(0, 10)).toBe('2024-02-29');
  });

  it('takes an injection attempt as data and round-trips odd text', async () => {
    expect(await count('region = {{r}}', { r: text(EVIL) })).toBe(0);
    expect(await count('list_contains({{r}}, region)', { r: texts([EVIL, 'west']) })).toBe(ROWS / 4);
    expect(rows(await run(id, 'select {{t}} as t', { t: text(ODD) }))[0]!.t).toBe(ODD);
    expect(num(await run(id, 'select count(*) as n from orders'))).toBe(ROWS);
  });

  it('refuses a placeholder of the user’s own beside inputs', async () => {
    const a = await run(id, 'select ?, {{r}}', { r: text('x') });
    expect(a).toMatchObject({ kind: 'error', status: 400, error: { position: 8 } });
  });
});
