// Connected PostgreSQL, for real: a sample database with a million rows, queried through the HTTP route the
// browser uses, in read-only transactions, with timeouts, cancellation, row caps and a connection pool limit.
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { testPostgres } from '../../server/connectors/postgres/introspect';
import { connectionSchema } from '../../server/connectors/schema-cache';
import { listConnections, updateConnection } from '../../server/connectors/store';
import { testConnection } from '../../server/connectors/test-connection';
import { connectionSuite } from './helpers/connection-suite';
import { join, person } from './helpers/people';
import { eventually, ok } from './helpers/query-client';
import { sampleDb } from './helpers/sample-db';

const suite = connectionSuite(sampleDb, (sample) => ({
  name: `Warehouse ${crypto.randomUUID().slice(0, 6)}`,
  host: sample.host,
  port: sample.port,
  database: sample.database,
  user: sample.role,
  password: sample.password,
  ssl: 'disable'
}));
const { settings, connect, run } = suite;

async function activeBackends(pattern: string) {
  const rows = await suite.sample.admin`
    select count(*)::int as n from pg_stat_activity
     where usename = ${suite.sample.role} and state = 'active' and query like ${'%' + pattern + '%'}`;
  return rows[0]!.n as number;
}

describe('connected PostgreSQL', () => {
  it('answers aggregates over a million rows with the same numbers as the database', async () => {
    const c = await connect();
    const a = ok(
      await run(
        c.id,
        `select region, count(*) as n, sum(amount) as total from ${suite.sample.schema}.orders group by region order by region`
      )
    );
    const expected = await suite.sample.admin.unsafe(
      `select region, count(*)::int as n, sum(amount)::float8 as total from ${suite.sample.schema}.orders group by region order by region`
    );
    const got = a.table.toArray().map((r) => ({ region: r.region, n: Number(r.n), total: r.total }));
    expect(got).toEqual(expected.map((r) => ({ region: r.region, n: r.n, total: r.total })));
    expect(got.reduce((s, r) => s + r.n, 0)).toBe(1_000_000);
  });

  it('streams every row of a big result, with each type decoded', async () => {
    const c = await connect();
    const a = ok(await run(c.id, `select * from ${suite.sample.schema}.orders order by id`));
    expect(a.table.numRows).toBe(1_000_000);
    expect(a.table.batches.length).toBeGreaterThan(1);
    expect(a.status).toMatchObject({ rows: 1_000_000, truncated: false });
    const [row] = await suite.sample.admin.unsafe(
      `select id, region, amount::float8 as amount, ordered_on::text as d,
              extract(epoch from created_at) * 1000 as ms, paid, customer, big::text as big, weekday, token::text as token
         from ${suite.sample.schema}.orders where id = 777770`
    );
    const r = a.table.get(777769)!.toJSON();
    expect(r.id).toBe(row!.id);
    expect(r.region).toBe(row!.region);
    expect(r.amount).toBeCloseTo(row!.amount, 9);
    expect(new Date(r.ordered_on).toISOString().slice(0, 10)).toBe(row!.d);
    expect(Number(r.created_at)).toBe(Number(row!.ms));
    expect(r.paid).toBe(row!.paid);
    expect(r.customer).toBe(null); // every tenth customer is null
    expect(String(r.big)).toBe(row!.big);
    expect(r.weekday).toBe(row!.weekday);
    expect(r.token).toBe(row!.token);
    expect(a.table.schema.fields.map((f) => String(f.type))).toEqual([
      'Int32',
      'Utf8',
      'Float64',
      'Date32<DAY>',
      'Timestamp<MICROSECOND, UTC>',
      'Bool',
      'Utf8',
      'Int64',
      'Int16',
      'Utf8'
    ]);
  });

  it('runs non-SELECT statements that return rows (SHOW, EXPLAIN) and keeps duplicate column names apart', async () => {
    const c = await connect();
    const show = ok(await run(c.id, 'show transaction_read_only'));
    expect(show.table.get(0)!.toJSON()).toEqual({ transaction_read_only: 'on' });
    const dup = ok(await run(c.id, 'select 1 as x, 2 as x;'));
    expect(dup.table.get(0)!.toJSON()).toEqual({ x: 1, x_1: 2 });
  });

  it('cuts results at the row cap and says so', async () => {
    const c = await connect({ rowCap: 1000 });
    const a = ok(await run(c.id, `select id from ${suite.sample.schema}.orders`));
    expect(a.table.numRows).toBe(1000);
    expect(a.status).toMatchObject({ rows: 1000, truncated: true });
    const exact = ok(await run(c.id, `select id from ${suite.sample.schema}.orders limit 1000`));
    expect(exact.status).toMatchObject({ rows: 1000, truncated: false });
  });

  it('refuses every kind of write, and nothing changes', async () => {
    const c = await connect();
    const count = async () =>
      (await suite.sample.admin.unsafe(`select count(*)::int as n from ${suite.sample.schema}.orders`))[0]!.n;
    const before = await count();
    const writes = [
      `insert into ${suite.sample.schema}.orders (id) values (-1)`,
      `insert into ${suite.sample.schema}.orders (id) values (-1) returning id`,
      `update ${suite.sample.schema}.orders set amount = 0 returning id`,
      `drop table ${suite.sample.schema}.orders`,
      `create table ${suite.sample.schema}.made_here (x int)`,
      `with gone as (delete from ${suite.sample.schema}.orders returning id) select count(*) from gone`,
      'set transaction read write',
      `set transaction read write; insert into ${suite.sample.schema}.orders (id) values (-1)`,
      `commit; insert into ${suite.sample.schema}.orders (id) values (-1)`,
      `select 1; drop table ${suite.sample.schema}.orders`
    ];
    for (const sql of writes) {
      const a = await run(c.id, sql);
      expect(a.kind, sql).toBe('error');
      if (a.kind === 'error') expect(a.error.message.length, sql).toBeGreaterThan(10);
    }
    expect(await count()).toBe(before);
    const tables = await suite.sample.admin.unsafe(
      `select table_name from information_schema.tables where table_schema = '${suite.sample.schema}' order by 1`
    );
    expect(tables.map((r) => r.table_name)).toEqual(['orders', 'paid_orders']);
  });

  it('stops a query at the statement timeout with a clear error and leaves no backend behind', async () => {
    const c = await connect({ statementTimeoutS: 1 });
    const a = await run(c.id, 'select pg_sleep(120) as slept');
    expect(a.kind).toBe('error');
    if (a.kind === 'error') expect(a.error.message).toMatch(/longer than this connection's limit of 1 s/);
    expect(await eventually(async () => (await activeBackends('pg_sleep(120)')) === 0)).toBe(true);
  });

  it('cancels the query on the database when the browser goes away mid-stream', async () => {
    const c = await connect({ rowCap: 10_000_000 });
    // A nested loop streams its rows (a set-returning function would be computed whole first).
    const marker = 'cancel_me_' + crypto.randomUUID().slice(0, 8);
    const sql = `select a.id, b.region as ${marker} from ${suite.sample.schema}.orders a cross join ${suite.sample.schema}.orders b`;
    let runningBefore = -1;
    await new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: suite.server.port,
          method: 'POST',
          path: `/api/connections/${c.id}/query`,
          headers: { cookie: `sheaf_session=${suite.owner.token}`, 'content-type': 'application/json' }
        },
        (res) => {
          expect(res.statusCode).toBe(200);
          let seen = 0;
          res.on('data', (chunk: Buffer) => {
            seen += chunk.length;
            if (seen > 1024 * 1024 && runningBefore < 0) {
              runningBefore = 0;
              res.pause();
              void activeBackends(marker).then((n) => {
                runningBefore = n;
                req.destroy();
                resolve();
              }, reject);
            }
          });
        }
      );
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      req.end(JSON.stringify({ sql }));
    });
    expect(runningBefore).toBe(1);
    expect(await eventually(async () => (await activeBackends(marker)) === 0)).toBe(true);
  });

  it('runs at most the connection limit of queries at once; the rest wait their turn', async () => {
    const c = await connect({ maxConcurrent: 1 });
    const answers = await Promise.all(
      [1, 2, 3].map(() => run(c.id, 'select pg_backend_pid() as pid, pg_sleep(0.2) is null as slept'))
    );
    const pids = new Set(answers.map((a) => Number(ok(a).table.get(0)!.toJSON().pid)));
    expect(pids.size).toBe(1);
    const wide = await connect({ maxConcurrent: 3 });
    const parallel = await Promise.all(
      [1, 2, 3].map(() => run(wide.id, 'select pg_backend_pid() as pid, pg_sleep(0.5) is null as slept'))
    );
    expect(new Set(parallel.map((a) => Number(ok(a).table.get(0)!.toJSON().pid))).size).toBe(3);
  });

  it("points at the spot of a SQL error in the user's query", async () => {
    const c = await connect();
    const a = await run(c.id, `select regoin from ${suite.sample.schema}.orders`);
    expect(a.kind).toBe('error');
    if (a.kind !== 'error') return;
    expect(a.error.message).toMatch(/column "regoin" does not exist/);
    expect(a.error.position).toBe(8);
  });

  it('gives wrong passwords, closed ports, silent hosts and unknown hosts each their own message', async () => {
    const base = {
      ...settings(),
      statementTimeoutS: 60,
      rowCap: 1000,
      maxConcurrent: 1,
      ssl: 'disable' as const
    };
    const good = await testPostgres({ settings: base, password: suite.sample.password });
    expect(good).toMatchObject({ ok: true });
    const wrong = await testPostgres({ settings: base, password: 'not-the-password' });
    expect(wrong).toMatchObject({ ok: false, problem: 'auth' });
    if (!wrong.ok) expect(wrong.message).toContain(`password for user "${suite.sample.role}"`);
    const closed = await testPostgres({ settings: { ...base, port: 1 }, password: suite.sample.password });
    expect(closed).toMatchObject({ ok: false, problem: 'refused' });
    const unknown = await testPostgres({
      settings: { ...base, host: 'no-such-host.invalid' },
      password: suite.sample.password
    });
    expect(unknown).toMatchObject({ ok: false, problem: 'dns' });
    if (!unknown.ok) expect(unknown.message).toContain('no-such-host.invalid');
    // A host that accepts the connection and then never answers (as behind a black-holing firewall).
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as AddressInfo).port;
    const hung = await testPostgres({
      settings: { ...base, port: silentPort },
      password: suite.sample.password
    });
    silent.close();
    expect(hung).toMatchObject({ ok: false, problem: 'timeout' });
    if (!hung.ok) expect(hung.message).toContain(`No answer from 127.0.0.1:${silentPort} within 10 s`);
    const noDb = await testPostgres({
      settings: { ...base, database: 'no_such_db' },
      password: suite.sample.password
    });
    expect(noDb).toMatchObject({ ok: false, problem: 'database' });
  });

  it('keeps the password sealed: not in the database in plaintext, not in any answer', async () => {
    const c = await connect();
    const rows = await suite.db.query<Record<string, unknown>>('select * from connections where id = $1', [
      c.id
    ]);
    expect(JSON.stringify(rows)).not.toContain(suite.sample.password);
    expect(String(rows[0]!.secret)).toMatch(/^v1:/);
    const listed = await listConnections(suite.db, suite.owner.id, suite.owner.workspaceId);
    expect(JSON.stringify(listed)).not.toContain(suite.sample.password);
    expect(JSON.stringify(c)).not.toContain(suite.sample.password);
    // An edit without a password keeps the stored one (queries still authenticate).
    const edited = await updateConnection(suite.db, suite.server.box, {
      userId: suite.owner.id,
      connectionId: c.id,
      input: { ...settings({ name: c.name }), password: '' }
    });
    expect(JSON.stringify(edited)).not.toContain(suite.sample.password);
    ok(await run(c.id, 'select 1 as one'));
    const schema = await connectionSchema(suite.db, suite.server.box, {
      userId: suite.owner.id,
      connectionId: c.id,
      refresh: true
    });
    expect(JSON.stringify(schema)).not.toContain(suite.sample.password);
  });

  it('sends the saved password only where it went before: a changed host, port, user or weaker SSL needs it again', async () => {
    const c = await connect({ ssl: 'prefer' });
    const same = { ...settings({ name: c.name }), ssl: 'prefer', password: '' };
    await expect(
      updateConnection(suite.db, suite.server.box, {
        userId: suite.owner.id,
        connectionId: c.id,
        input: { ...same, host: 'attacker.example' }
      })
    ).rejects.toMatchObject({ code: 'invalid', fields: { password: expect.any(String) } });
    for (const change of [{ port: suite.sample.port + 1 }, { user: 'postgres' }, { ssl: 'disable' }]) {
      await expect(
        testConnection(suite.db, suite.server.box, {
          userId: suite.owner.id,
          input: { ...same, ...change, workspaceId: suite.owner.workspaceId, connectionId: c.id }
        })
      ).rejects.toThrow(/Enter the password again/);
    }
    // Unchanged target, or a new password typed in: fine.
    expect(
      await testConnection(suite.db, suite.server.box, {
        userId: suite.owner.id,
        input: { ...same, workspaceId: suite.owner.workspaceId, connectionId: c.id }
      })
    ).toMatchObject({ ok: true });
    await updateConnection(suite.db, suite.server.box, {
      userId: suite.owner.id,
      connectionId: c.id,
      input: { ...same, ssl: 'require', password: '' }
    });
  });

  it('refuses to connect to this machine unless the operator allowed it (CONNECTION_ALLOW_HOSTS)', async () => {
    const c = await connect();
    const allowed = process.env.CONNECTION_ALLOW_HOSTS;
    process.env.CONNECTION_ALLOW_HOSTS = '';
    try {
      const a = await run(c.id, 'select 1 as one');
      expect(a).toMatchObject({ kind: 'error', status: 503 });
      if (a.kind === 'error') expect(a.error.message).toMatch(/CONNECTION_ALLOW_HOSTS/);
      expect(
        await testConnection(suite.db, suite.server.box, {
          userId: suite.owner.id,
          input: { ...settings(), workspaceId: suite.owner.workspaceId }
        })
      ).toMatchObject({ ok: false, message: expect.stringContaining('does not connect to') });
    } finally {
      process.env.CONNECTION_ALLOW_HOSTS = allowed;
    }
    ok(await run(c.id, 'select 1 as one'));
  });

  it('knows a query behind nested comments, and refuses statements that are not queries', async () => {
    const c = await connect({ rowCap: 1000 });
    const hidden = ok(
      await run(c.id, `/* outer /* inner */ still a comment */ select id from ${suite.sample.schema}.orders`)
    );
    expect(hidden.status).toMatchObject({ rows: 1000, truncated: true });
    for (const sql of ['/* /* */ */ vacuum', 'listen sheaf', 'prepare q as select 1', 'checkpoint']) {
      expect(await run(c.id, sql), sql).toMatchObject({ kind: 'error' });
    }
  });

  it('reads the schema (tables, views, columns, types) and serves it from the cache until refreshed', async () => {
    const c = await connect();
    const first = await connectionSchema(suite.db, suite.server.box, {
      userId: suite.owner.id,
      connectionId: c.id,
      refresh: false
    });
    const orders = first.tables.find((x) => x.schema === suite.sample.schema && x.name === 'orders');
    expect(orders?.columns.map((col) => `${col.name}:${col.type}`)).toContain('amount:numeric');
    expect(first.tables.find((x) => x.name === 'paid_orders')?.view).toBe(true);
    await suite.sample.admin.unsafe(`create table ${suite.sample.schema}.added_later (x int)`);
    await suite.sample.admin.unsafe(
      `grant select on ${suite.sample.schema}.added_later to ${suite.sample.role}`
    );
    const cached = await connectionSchema(suite.db, suite.server.box, {
      userId: suite.owner.id,
      connectionId: c.id,
      refresh: false
    });
    expect(cached.fetchedAt).toBe(first.fetchedAt);
    expect(cached.tables.some((x) => x.name === 'added_later')).toBe(false);
    const fresh = await connectionSchema(suite.db, suite.server.box, {
      userId: suite.owner.id,
      connectionId: c.id,
      refresh: true
    });
    expect(fresh.tables.some((x) => x.name === 'added_later')).toBe(true);
    await suite.sample.admin.unsafe(`drop table ${suite.sample.schema}.added_later`);
    // Stored as JSON documents SQL can look into, not as strings holding JSON.
    const [stored] = await suite.db.query<{ settings: string; tables: string; host: string }>(
      `select jsonb_typeof(settings) as settings, jsonb_typeof(schema_cache -> 'tables') as tables,
              settings ->> 'host' as host
         from connections where id = $1`,
      [c.id]
    );
    expect(stored).toEqual({ settings: 'object', tables: 'array', host: suite.sample.host });
  });

  it('lets viewers see connection names only, and not run queries; outsiders see nothing', async () => {
    const c = await connect();
    const viewer = await person(suite.db, 'Viewer');
    await join(suite.db, suite.owner, viewer, 'viewer');
    const listed = await listConnections(suite.db, viewer.id, suite.owner.workspaceId);
    expect(listed.connections.find((x) => x.id === c.id)).toEqual({
      id: c.id,
      name: c.name,
      kind: 'postgres'
    });
    const a = await run(c.id, 'select 1', viewer.token);
    expect(a).toMatchObject({ kind: 'error', status: 403 });
    const outsider = await person(suite.db, 'Outsider');
    expect(await run(c.id, 'select 1', outsider.token)).toMatchObject({ kind: 'error', status: 404 });
    await expect(listConnections(suite.db, outsider.id, suite.owner.workspaceId)).rejects.toThrow(
      /not found/
    );
    await expect(
      connectionSchema(suite.db, suite.server.box, { userId: viewer.id, connectionId: c.id, refresh: false })
    ).rejects.toMatchObject({ code: 'forbidden' });
  });
});
