// Dashboard viewers' own filter values on a connection card, over HTTP against the built app (server/index.ts as
// `npm start` runs it) with a real PostgreSQL connection: a logged-out viewer of a public dashboard gets the rows
// for an allowed value; a value outside the options is refused with a message naming the input and runs nothing;
// members-only dashboards refuse strangers; repeats come from the cache (counted by PostgreSQL's own scan
// counter); values reach the database as parameters; the limit answers 429 and the server stays up.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderedCells, type NewCell } from '../../cells/document';
import type { Interactive } from '../../cells/interactive';
import { addToLayout } from '../../cells/layout';
import { secretBox } from '../../server/connectors/secret-box';
import type { Db } from '../../server/db/types';
import { createNotebook } from '../../server/notebooks/notebooks';
import { RateLimiter } from '../../server/auth/rate-limit';
import { AppError } from '../../server/errors';
import { liveCellResult, type LiveResult } from '../../server/publish/live-cell';
import { SharedResultCache } from '../../server/publish/live-cache';
import { publicationRow } from '../../server/publish/publication-store';
import { publish } from '../../server/publish/publications';
import { DASHBOARD_FILE, snapshotDir } from '../../server/publish/snapshot';
import type { AppProcess } from './helpers/app-process';
import { startAppWithDb } from './helpers/app-with-db';
import { editStoredDoc } from './helpers/edit-stored-doc';
import { person } from './helpers/people';
import { connectWarehouse } from './helpers/warehouse';
import { sampleDb, type SampleDb } from './helpers/sample-db';

/** An allowed option that would end the string and comment out the rest if it were spliced into the SQL. */
const EVIL = "north' or 1=1 --";
const REGIONS = ['north', 'south', 'east', 'west', EVIL];
const ROWS: [string, number][] = [
  ['north', 10],
  ['north', 20],
  ['south', 30],
  ['east', 40],
  ['west', 50],
  [EVIL, 60]
];

const key = randomBytes(32);
let app: AppProcess;
let sample: SampleDb;
let db: Db;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  sample = await sampleDb(0);
  ({ app, db, stop } = await startAppWithDb('live', {
    SECRET_KEY: key.toString('base64'),
    CONNECTION_ALLOW_HOSTS: '127.0.0.1,localhost',
    // As behind a proxy: each test's logged-out viewer comes from an address of its own.
    ADDRESS_HEADER: 'x-forwarded-for',
    LIVE_CELL_RATE_PER_MINUTE: '20'
  }));
}, 180_000);

afterAll(async () => {
  await stop?.();
  await sample?.cleanup();
});

const input = (name: string, config: Record<string, unknown>): NewCell => ({ kind: 'input', name, config });

let tables = 0;

/** A table of its own for each dashboard, so that PostgreSQL's count of its scans is this test's alone. */
async function salesTable(): Promise<string> {
  const table = `sales_${++tables}`;
  await sample.admin.unsafe(
    `create table ${sample.schema}.${table} (region text not null, amount int not null)`
  );
  const values = ROWS.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ');
  await sample.admin.unsafe(`insert into ${sample.schema}.${table} values ${values}`, ROWS.flat());
  await sample.admin.unsafe(`grant select on ${sample.schema}.${table} to ${sample.role}`);
  return table;
}

/** A notebook whose connection cell reads a table by region (and a least amount), both inputs on the grid. */
async function publishBoard(
  visibility: 'public' | 'members',
  { slowFor, failFor }: { slowFor?: string; failFor?: string } = {}
) {
  const table = await salesTable();
  // A viewer's choice of `slowFor` makes the query wait (far longer than any test), to see who stops it; one of
  // `failFor` makes it divide by zero.
  const wait = slowFor
    ? `, pg_sleep(case when {{region}} = '${slowFor}' then 1000 else 0 end) as waited`
    : '';
  const fail = failFor ? `, 1 / (case when {{region}} = '${failFor}' then 0 else 1 end) as one` : '';
  const ann = await person(db, 'Live Ann');
  const conn = await connectWarehouse(db, secretBox(key), ann, sample);
  const nb = await createNotebook(db, ann.id, ann.workspaceId, { title: 'Live' }, [
    input('region', {
      widget: 'dropdown',
      label: 'Region',
      options: { from: 'list', values: REGIONS },
      value: 'north'
    }),
    input('minimum', { widget: 'number', label: 'Least amount', min: 0, max: 1000, value: 0 }),
    {
      kind: 'sql',
      name: 'by_region',
      // current_query(): the text PostgreSQL itself received, to show the value was not in it.
      source: `select region, amount, current_query() as sent${wait}${fail} from ${sample.schema}.${table}
                where region = {{region}} and amount >= {{minimum}} order by amount`,
      config: { engine: conn.id }
    }
  ]);
  await editStoredDoc(db, nb.id, (doc) => {
    for (const c of orderedCells(doc)) addToLayout(doc, c, c.kind === 'input' ? 'input' : 'table');
  });
  const { slug } = await publish(
    db,
    { dataDir: app.dataDir, secretBox: () => secretBox(key) },
    ann.id,
    nb.id,
    {
      visibility
    }
  );
  await expectServerCell(nb.id);
  return { ann, slug, table };
}

/** The publish side lists the connection cell to re-run on the server, with both inputs a viewer may change. */
async function expectServerCell(notebookId: Parameters<typeof publicationRow>[1]) {
  const row = (await publicationRow(db, notebookId))!;
  const file = path.join(snapshotDir(app.dataDir, row.notebook_id, row.snapshot_id!), DASHBOARD_FILE);
  const { interactive } = JSON.parse(await readFile(file, 'utf8')) as { interactive?: Interactive };
  expect(interactive?.cells).toContainEqual({ runsOn: 'server', name: 'by_region' });
  expect(interactive?.inputs.map((i) => [i.name, i.choices])).toEqual([
    ['region', REGIONS],
    ['minimum', []]
  ]);
}

type Answer = { status: number; body: Buffer; headers: Headers };

async function ask(
  slug: string,
  values: unknown,
  opts: { from?: string; cookie?: string; name?: string } = {}
) {
  const query = values === undefined ? '' : `?values=${encodeURIComponent(JSON.stringify(values))}`;
  const res = await fetch(`${app.base}/d/${slug}/cells/${opts.name ?? 'by_region'}${query}`, {
    headers: {
      'x-forwarded-for': opts.from ?? '198.51.100.1',
      ...(opts.cookie ? { cookie: opts.cookie } : {})
    }
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers } as Answer;
}

const rowsOf = (a: Answer) => {
  expect(a.status, a.body.toString('utf8').slice(0, 300)).toBe(200);
  return tableFromIPC(a.body)
    .toArray()
    .map((r: { region: string; amount: number; sent: string }) => ({ ...r, amount: Number(r.amount) }));
};
const messageOf = (a: Answer) =>
  (JSON.parse(a.body.toString('utf8')) as { error: { message: string } }).error.message;

/**
 * How many times PostgreSQL scanned `table`, once its statistics stop moving: each backend reports its counts
 * when a transaction ends at most once a second, else within 10 s of going idle (PGSTAT_IDLE_INTERVAL), so the
 * count is read until it reached `atLeast` and then stayed put for longer than that.
 */
async function scansSettled(table: string, atLeast: number): Promise<number> {
  const read = async () => {
    const [r] = await sample.admin.unsafe<{ n: string }[]>(
      `select seq_scan::text as n from pg_stat_user_tables where schemaname = $1 and relname = $2`,
      [sample.schema, table]
    );
    return Number(r?.n ?? 0);
  };
  let last = await read();
  let since = Date.now();
  for (let tries = 0; tries < 400; tries++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await read();
    if (now !== last || now < atLeast) since = Date.now();
    last = now;
    if (Date.now() - since > 11_000) return now;
  }
  return last;
}

describe('connection cards for viewers’ own filter values', () => {
  it('answers a logged-out viewer with the rows of an allowed value, repeats from the cache, refusals run nothing', async () => {
    const { slug, table } = await publishBoard('public');

    const north = await ask(slug, { region: 'north' });
    expect(north.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    expect(north.headers.get('x-sheaf-cache')).toBe('ran');
    expect(rowsOf(north).map((r) => [r.region, r.amount])).toEqual([
      ['north', 10],
      ['north', 20]
    ]);
    // The published values when none are given: north, from 0 — the same query, so the same cached answer.
    const asPublished = await ask(slug, undefined);
    expect(asPublished.headers.get('x-sheaf-cache')).toBe('cache');
    for (let i = 0; i < 5; i++) {
      const again = await ask(slug, { region: 'north', minimum: 0 }, { from: `198.51.100.${10 + i}` });
      expect(again.headers.get('x-sheaf-cache')).toBe('cache');
      expect(again.body.equals(north.body)).toBe(true);
    }

    const outside = await ask(slug, { region: 'Atlantis' });
    expect(outside.status).toBe(400);
    expect(messageOf(outside)).toBe('Region: "Atlantis" is not one of the choices.');
    const tooMuch = await ask(slug, { region: 'north', minimum: 5000 });
    expect(tooMuch.status).toBe(400);
    expect(messageOf(tooMuch)).toBe('Least amount: the most allowed is 1000.');
    const notOffered = await ask(slug, { region: 'north', sent: 'x' });
    expect(notOffered.status).toBe(400);
    expect(messageOf(notOffered)).toBe('This dashboard has no filter named "sent" to change.');
    const unreadable = await ask(slug, 'north');
    expect(unreadable.status).toBe(400);
    expect((await ask(slug, {}, { name: 'nothing_here' })).status).toBe(404);

    // Ten viewers at once asking for the same new value: one query.
    const together = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ask(slug, { region: 'south' }, { from: `203.0.113.${i + 1}` }))
    );
    expect(together.filter((a) => a.headers.get('x-sheaf-cache') === 'ran')).toHaveLength(1);
    for (const a of together) expect(rowsOf(a).map((r) => r.amount)).toEqual([30]);

    // Publishing ran it once, then two different values (north, south); the repeats, the refusals and the
    // shared run did not reach the database.
    expect(await scansSettled(table, 3)).toBe(3);
  }, 90_000);

  it('binds the value as a parameter: an option holding a quote and a comment returns exactly its own rows', async () => {
    const { slug } = await publishBoard('public');
    const rows = rowsOf(await ask(slug, { region: EVIL }, { from: '198.51.100.77' }));
    expect(rows.map((r) => [r.region, r.amount])).toEqual([[EVIL, 60]]);
    // What PostgreSQL was sent: the value is bound into a setting ($1) and read back by name, never written in.
    const sent = rows[0]!.sent;
    expect(sent).toContain("current_setting('sheaf.param_1')");
    expect(sent).not.toContain('or 1=1');
    expect(sent).not.toContain('north');
  });

  it('refuses logged-out viewers of a members-only dashboard, and serves its members', async () => {
    const { ann, slug } = await publishBoard('members');
    const stranger = await ask(slug, { region: 'north' }, { from: '198.51.100.88' });
    expect(stranger.status).toBe(401);
    expect(messageOf(stranger)).toBe('Log in to see this dashboard.');
    const outsider = await person(db, 'Live Outsider');
    const other = await ask(slug, { region: 'north' }, { cookie: `sheaf_session=${outsider.token}` });
    expect(other.status).toBe(404);
    const member = await ask(slug, { region: 'west' }, { cookie: `sheaf_session=${ann.token}` });
    expect(rowsOf(member).map((r) => r.amount)).toEqual([50]);
  });

  it('limits each viewer’s runs that miss the cache with a readable 429, and stays up', async () => {
    const { slug } = await publishBoard('public');
    const from = '192.0.2.55';
    for (let minimum = 1; minimum <= 20; minimum++) {
      const a = await ask(slug, { region: 'north', minimum }, { from });
      expect(a.status, `run ${minimum}`).toBe(200);
    }
    const limited = await ask(slug, { region: 'north', minimum: 21 }, { from });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(messageOf(limited)).toMatch(
      /^You changed filters very often: new data can be loaded again in \d+ s\.$/
    );
    // What is cached still comes, for this viewer too; another viewer has a budget of their own.
    expect((await ask(slug, { region: 'north', minimum: 3 }, { from })).status).toBe(200);
    expect((await ask(slug, { region: 'north', minimum: 21 }, { from: '192.0.2.56' })).status).toBe(200);
    await app.alive();
  });

  it('stops the query on the database when the only viewer waiting for it goes away', async () => {
    const { slug } = await publishBoard('public', { slowFor: 'west' });
    const running = async () => {
      const [r] = await sample.admin.unsafe<{ n: number }[]>(
        `select count(*)::int as n from pg_stat_activity
          where usename = $1 and state = 'active' and query like '%pg_sleep%'`,
        [sample.role]
      );
      return r!.n;
    };
    const until = async (want: number) => {
      // Bounded well below LIVE_STATEMENT_S (30 s), after which the database would stop it by itself.
      for (let tries = 0; tries < 80 && (await running()) !== want; tries++)
        await new Promise((r) => setTimeout(r, 250));
      return running();
    };
    const viewer = new AbortController();
    const url = `${app.base}/d/${slug}/cells/by_region?values=${encodeURIComponent('{"region":"west"}')}`;
    const gone = fetch(url, { signal: viewer.signal, headers: { 'x-forwarded-for': '198.51.100.99' } });
    gone.catch(() => {});
    expect(await until(1)).toBe(1);
    viewer.abort();
    expect(await until(0)).toBe(0);
    // Nothing was kept of it, and the server answers the next viewer.
    const north = await ask(slug, { region: 'north' }, { from: '198.51.100.98' });
    expect(rowsOf(north).map((r) => r.amount)).toEqual([10, 20]);
    await app.alive();
  });

  it('tells only the notebook’s editors what the database said when a run fails', async () => {
    const { ann, slug } = await publishBoard('public', { failFor: 'east' });
    const stranger = await ask(slug, { region: 'east' }, { from: '198.51.100.120' });
    expect(stranger.status).toBe(503);
    expect(messageOf(stranger)).toBe('The data for "by_region" could not be loaded. Please try again later.');
    const editor = await ask(slug, { region: 'east' }, { cookie: `sheaf_session=${ann.token}` });
    expect(editor.status).toBe(503);
    expect(messageOf(editor)).toMatch(/^The data for "by_region" could not be loaded: .*division by zero/);
    expect(messageOf(editor)).not.toContain(sample.role);
  });

  it('limits one dashboard’s runs that miss the cache across all its viewers', async () => {
    const { slug } = await publishBoard('public');
    // The same code the route calls, with a dashboard budget of 3 and viewers' budgets that never run out.
    const deps = {
      dataDir: app.dataDir,
      secretBox: () => secretBox(key),
      cache: new SharedResultCache<LiveResult>({ ttlMs: 60_000, maxBytes: 1 << 20 }),
      limiter: new RateLimiter(db, `test.${randomUUID()}`, { capacity: 1000, refillEveryMs: 1 }),
      perDashboard: new RateLimiter(db, `test.${randomUUID()}`, { capacity: 3, refillEveryMs: 3_600_000 })
    };
    const run = (minimum: number, address: string) =>
      liveCellResult(db, deps, {
        slug,
        name: 'by_region',
        values: JSON.stringify({ region: 'north', minimum }),
        userId: null,
        address
      });
    for (let i = 1; i <= 3; i++) expect((await run(i, `192.0.2.${100 + i}`)).served).toBe('ran');
    const busy = await run(4, '192.0.2.110').catch((e: unknown) => e as AppError);
    expect(busy).toBeInstanceOf(AppError);
    expect((busy as AppError).status).toBe(429);
    expect((busy as AppError).message).toMatch(/^Many people are changing filters on this dashboard/);
    // Cached answers still come.
    expect((await run(2, '192.0.2.111')).served).toBe('cache');
  });
});
