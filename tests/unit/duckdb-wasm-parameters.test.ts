// The browser's engine, DuckDB-WASM (its Node build, same WebAssembly and parameter binding as in the browser),
// given what compileParameters makes for DuckDB: typed values bound to a prepared statement compare as the same
// literal query does, lists filter rows, and hostile text is only ever a value. BrowserDuckDB's own path
// (worker, prepared send, files planned with the values) is left to the e2e tests.
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileParameters, type InputValues } from '../../cells/sql/parameters';

type Table = { toArray(): { toJSON(): Record<string, unknown> }[] };
type Statement = { query(...params: unknown[]): Table; close(): void };
type Connection = { query(sql: string): Table; prepare(sql: string): Statement; close(): void };

const require = createRequire(import.meta.url);
const build = require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
const dist = path.dirname(build);

let conn: Connection;
beforeAll(async () => {
  const duckdb = require(build);
  const db = await duckdb.createDuckDB(
    {
      mvp: { mainModule: path.join(dist, 'duckdb-mvp.wasm'), mainWorker: '' },
      eh: { mainModule: path.join(dist, 'duckdb-eh.wasm'), mainWorker: '' }
    },
    new duckdb.VoidLogger(),
    duckdb.NODE_RUNTIME
  );
  await db.instantiate();
  conn = db.connect();
  conn.query(`create table orders as
    select range::int as id, ['north','south','east','west'][1 + range % 4] as region,
           date '2024-01-01' + (range % 365)::int as ordered_on, (range % 1000) / 4 as amount
      from range(1, 2001)`);
}, 60_000);
afterAll(() => conn?.close());

function bound(sql: string, inputs: InputValues): Record<string, unknown>[] {
  const c = compileParameters(sql, 'duckdb', inputs);
  const statement = conn.prepare(c.sql);
  try {
    return statement
      .query(...c.params)
      .toArray()
      .map((r) => r.toJSON());
  } finally {
    statement.close();
  }
}
const literal = (sql: string) =>
  conn
    .query(sql)
    .toArray()
    .map((r) => r.toJSON());

describe('parameters in DuckDB-WASM', () => {
  it('filter as the same literal query does', () => {
    const inputs: InputValues = {
      region: { type: 'text', value: 'west' },
      min: { type: 'number', value: 100.5 },
      period: { type: 'date_range', start: '2024-02-01', end: '2024-02-29' },
      regions: { type: 'text_list', value: ['north', 'east'] },
      ids: { type: 'number_list', value: [1, 2, 3, 99999] },
      none: { type: 'text_list', value: [] }
    };
    const cases: [string, string][] = [
      ['region = {{region}}', "region = 'west'"],
      ['amount > {{min}}', 'amount > 100.5'],
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
    const counts = (wheres: string[]) =>
      `select ${wheres.map((w, i) => `count(*) filter (where ${w}) as c${i}`).join(', ')} from orders`;
    const got = bound(counts(cases.map((c) => c[0])), inputs)[0]!;
    const want = literal(counts(cases.map((c) => c[1])))[0]!;
    expect(Object.values(got).map(Number)).toEqual(Object.values(want).map(Number));
    expect(Number(got.c5)).toBe(3);
  });

  it('types values: DATE, BIGINT, DOUBLE, BOOLEAN, typed NULL', () => {
    const r = bound(
      'select typeof({{d}}) as d, typeof({{n}}) as n, typeof({{x}}) as x, typeof({{b}}) as b, {{nothing}} is null as empty, typeof({{nothing}}) as nt',
      {
        d: { type: 'date', value: '2024-02-28' },
        n: { type: 'number', value: 7 },
        x: { type: 'number', value: 1.5 },
        b: { type: 'boolean', value: true },
        nothing: { type: 'date', value: null }
      }
    )[0]!;
    expect(r).toEqual({ d: 'DATE', n: 'BIGINT', x: 'DOUBLE', b: 'BOOLEAN', empty: true, nt: 'DATE' });
  });

  it('keeps hostile and odd text as a value', () => {
    const evil = "'; drop table orders; --";
    const odd = 'é "quoted" it\'s \\ {braces,} 😀';
    expect(
      Number(
        bound('select count(*) as n from orders where region = {{r}}', {
          r: { type: 'text', value: evil }
        })[0]!.n
      )
    ).toBe(0);
    const r = bound('select {{t}} as t, {{l}} as l', {
      t: { type: 'text', value: odd },
      l: { type: 'text_list', value: [evil, odd] }
    })[0]!;
    expect(r.t).toBe(odd);
    expect([...(r.l as Iterable<string>)]).toEqual([evil, odd]);
    expect(Number(literal('select count(*) as n from orders')[0]!.n)).toBe(2000);
  });

  it('plans a query with its values bound, as file pieces are planned', () => {
    const c = compileParameters('select * from orders where id > {{n}}', 'duckdb', {
      n: { type: 'number', value: 1990 }
    });
    const statement = conn.prepare(`explain (format json) ${c.sql}`);
    const plan = JSON.stringify(
      statement
        .query(...c.params)
        .toArray()
        .map((r) => r.toJSON())
    );
    statement.close();
    expect(plan).toContain('1990');
  });
});
