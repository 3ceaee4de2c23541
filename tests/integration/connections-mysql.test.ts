// Connected MariaDB/MySQL, for real: a million rows queried through the browser's HTTP route, read-only session
// and transaction, statement time limit, KILL QUERY on cancel and at the row cap, the pool limit.
import { describe, expect, it } from 'vitest';
import { testMysql } from '../../server/connectors/mysql/introspect';
import { connectionSchema } from '../../server/connectors/schema-cache';
import { connectionSuite } from './helpers/connection-suite';
import { eventually, ok } from './helpers/query-client';
import { mysqlSettings, sampleMysql } from './helpers/sample-mysql';

const suite = connectionSuite(sampleMysql, (sample) => ({
  name: `Shop ${crypto.randomUUID().slice(0, 6)}`,
  ...mysqlSettings(sample)
}));
const { settings, connect, run } = suite;

async function running(marker: string): Promise<number> {
  const [rows] = await suite.sample.admin.query(
    `select count(*) as n from information_schema.processlist where user = ? and command = 'Query' and info like ?`,
    [suite.sample.user, `%${marker}%`]
  );
  return Number((rows as { n: number }[])[0]!.n);
}

describe('connected MariaDB/MySQL', () => {
  it('answers aggregates over a million rows with the same numbers as the database', async () => {
    const c = await connect();
    const a = ok(
      await run(
        c.id,
        'select region, count(*) as n, sum(amount) as total from orders group by region order by region'
      )
    );
    const [want] = await suite.sample.admin.query(
      `select region, count(*) as n, cast(sum(amount) as double) as total from ${suite.sample.database}.orders group by region order by region`
    );
    const got = a.table.toArray().map((r) => ({ region: r.region, n: Number(r.n), total: r.total }));
    expect(got).toEqual(
      (want as { region: string; n: number; total: number }[]).map((r) => ({ ...r, n: Number(r.n) }))
    );
  });

  it('streams a million rows with each type decoded', async () => {
    const c = await connect();
    const a = ok(await run(c.id, 'select * from orders order by id'));
    expect(a.table.numRows).toBe(1_000_000);
    expect(a.table.batches.length).toBeGreaterThan(1);
    const r = a.table.get(777769)!.toJSON();
    expect(r.id).toBe(777770n);
    expect(r.region).toBe(['north', 'south', 'east', 'west'][777770 % 4]);
    expect(r.amount).toBe((777770 % 1000) / 4);
    expect(new Date(r.ordered_on).toISOString().slice(0, 10)).toBe(
      new Date(Date.UTC(2024, 0, 1 + (777770 % 365))).toISOString().slice(0, 10)
    );
    expect(Number(r.created_at)).toBe(Date.UTC(2024, 0, 1) + 777770 * 1000);
    expect(r.customer).toBe(null);
    expect(String(r.big)).toBe(String(777770n * 1000000n));
  });

  it('refuses every kind of write, and nothing changes', async () => {
    const c = await connect();
    const count = async () => {
      const [rows] = await suite.sample.admin.query(
        `select count(*) as n from ${suite.sample.database}.orders`
      );
      return Number((rows as { n: number }[])[0]!.n);
    };
    const before = await count();
    for (const sql of [
      'insert into orders (id) values (-1)',
      'update orders set amount = 0',
      'delete from orders',
      'drop table orders',
      'create table made_here (x int)',
      'set transaction read write',
      'set session transaction read write',
      'select 1; drop table orders',
      "select * from orders into outfile '/tmp/sheaf-out.csv'",
      "select * from orders into/**/outfile '/tmp/sheaf-out2.csv'",
      "select * from orders into /*!outfile*/ '/tmp/sheaf-out3.csv'",
      'analyze table orders persistent for all',
      'call mysql.nothing()'
    ]) {
      const a = await run(c.id, sql);
      expect(a.kind, sql).toBe('error');
    }
    const sneaky = await run(c.id, 'select add_order() as added');
    expect(sneaky).toMatchObject({ kind: 'error', error: { reason: 'read_only' } });
    expect(await count()).toBe(before);
    const [tables] = await suite.sample.admin.query(`show tables from ${suite.sample.database}`);
    expect((tables as Record<string, string>[]).map((r) => Object.values(r)[0]).sort()).toEqual([
      'orders',
      'paid_orders'
    ]);
  });

  it('stops a query at the statement time limit with a clear error, leaving nothing running', async () => {
    const c = await connect({ statementTimeoutS: 1 });
    const a = await run(c.id, 'select sleep(120) as slept_a_while');
    expect(a.kind).toBe('error');
    if (a.kind === 'error') expect(a.error.message).toMatch(/longer than this connection's limit of 1 s/);
    expect(await eventually(async () => (await running('slept_a_while')) === 0)).toBe(true);
  });

  it('cuts results at the row cap (stopping the query) and says so', async () => {
    const c = await connect({ rowCap: 1000 });
    const a = ok(await run(c.id, 'select a.id, b.region as capped_here from orders a cross join orders b'));
    expect(a.table.numRows).toBe(1000);
    expect(a.status.truncated).toBe(true);
    expect(await eventually(async () => (await running('capped_here')) === 0)).toBe(true);
    expect(ok(await run(c.id, 'select id from orders limit 1000')).status.truncated).toBe(false);
  });

  it('kills the query on the suite.server when the browser goes away mid-stream', async () => {
    const c = await connect({ rowCap: 10_000_000 });
    const marker = `cancel_me_${crypto.randomUUID().slice(0, 8)}`;
    const ac = new AbortController();
    const res = await fetch(`http://127.0.0.1:${suite.server.port}/api/connections/${c.id}/query`, {
      method: 'POST',
      headers: { cookie: `sheaf_session=${suite.owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: `select a.id, b.region as ${marker} from orders a cross join orders b` }),
      signal: ac.signal
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let seen = 0;
    while (seen < 1024 * 1024) seen += (await reader.read()).value?.length ?? 0;
    expect(await running(marker)).toBe(1);
    ac.abort();
    expect(await eventually(async () => (await running(marker)) === 0)).toBe(true);
  });

  it('runs at most the connection limit of queries at once', async () => {
    const c = await connect({ maxConcurrent: 1 });
    const answers = await Promise.all(
      [1, 2, 3].map(() => run(c.id, 'select connection_id() as id, sleep(0.2) as s'))
    );
    expect(new Set(answers.map((a) => String(ok(a).table.get(0)!.toJSON().id))).size).toBe(1);
  });

  it('gives wrong passwords, closed ports, unknown hosts and databases their own messages', async () => {
    const base = {
      ...settings(),
      statementTimeoutS: 60,
      rowCap: 1000,
      maxConcurrent: 1,
      ssl: 'disable' as const
    };
    expect(await testMysql({ settings: base, password: suite.sample.password })).toMatchObject({ ok: true });
    const wrong = await testMysql({ settings: base, password: 'nope' });
    expect(wrong).toMatchObject({ ok: false, problem: 'auth' });
    expect(
      await testMysql({ settings: { ...base, port: 1 }, password: suite.sample.password })
    ).toMatchObject({
      ok: false,
      problem: 'refused'
    });
    expect(
      await testMysql({
        settings: { ...base, host: 'no-such-host.invalid' },
        password: suite.sample.password
      })
    ).toMatchObject({ ok: false, problem: 'dns' });
    expect(
      await testMysql({
        settings: { ...base, database: `${suite.sample.database}_missing` },
        password: suite.sample.password
      })
    ).toMatchObject({ ok: false, problem: 'auth' }); // no grant on a database that does not exist
  });

  it('reads the schema with the connection database as the default', async () => {
    const c = await connect();
    const s = await connectionSchema(suite.db, suite.server.box, {
      userId: suite.owner.id,
      connectionId: c.id,
      refresh: false
    });
    expect(s.defaultSchema).toBe(suite.sample.database);
    const orders = s.tables.find((x) => x.schema === suite.sample.database && x.name === 'orders');
    expect(orders?.columns.map((col) => col.name)).toEqual([
      'id',
      'region',
      'amount',
      'ordered_on',
      'created_at',
      'paid',
      'customer',
      'big'
    ]);
    expect(s.tables.find((x) => x.name === 'paid_orders')?.view).toBe(true);
  });
});
