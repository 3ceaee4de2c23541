// bench:filter-server — viewers changing filters on a dashboard card that runs on a database connection. A table
// of --rows orders is generated in PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL); the built app (server/index.ts;
// `npm run build` first if build/ is missing or stale) runs on a throwaway schema of the same server. A notebook whose
// connection cell sums the orders per day `where region = {{region}} and amount >= {{minimum}}`, with a dropdown
// (5 regions) and a slider (0–100, step 10) on the grid, is published publicly. Then --viewers simulated viewers
// (each its own address, logged out) change filters --changes times each, all at once, picking values at random
// (seeded: both runs ask the same things) and asking /d/<slug>/cells/by_day for each — once against the app with the
// cache on and once with it off (LIVE_CELL_CACHE_MB=0, for this bench only). Prints, for each, the app process's CPU
// time, the queries that reached the database, and median/p95 latency per request; then the ratios off ÷ on.
//   npm run bench:filter-server -- [--rows 500000] [--viewers 200] [--changes 10]
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { orderedCells } from '../cells/document';
import { addToLayout } from '../cells/layout';
import { secretBox } from '../server/connectors/secret-box';
import { createConnection } from '../server/connectors/store';
import { openPostgres } from '../server/db/postgres';
import { createNotebook } from '../server/notebooks/notebooks';
import { publish } from '../server/publish/publications';
import { editStoredDoc } from '../tests/integration/helpers/edit-stored-doc';
import { person } from '../tests/integration/helpers/people';
import { startBuiltApp, type BuiltApp } from './built-app';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '500000' },
    viewers: { type: 'string', default: '200' },
    changes: { type: 'string', default: '10' }
  }
});
const ROWS = Number(args.rows);
const VIEWERS = Number(args.viewers);
const CHANGES = Number(args.changes);
const REGIONS = ['north', 'south', 'east', 'west', 'central'];
const MINIMUMS = Array.from({ length: 11 }, (_, i) => i * 10);

const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!url) {
  console.error(
    'bench:filter-server needs a PostgreSQL server: set BENCH_DATABASE_URL or TEST_DATABASE_URL.'
  );
  process.exit(1);
}
const target = new URL(url);
// The bench's own writes (the connection) and the app both reach the database on this machine.
process.env.CONNECTION_ALLOW_HOSTS = `${target.hostname},localhost,127.0.0.1`;

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime), counted from after the command name; clock ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A small seeded generator (mulberry32): both runs ask the same sequence of values. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Run = { cpu: number; latencies: number[]; ran: number; failed: number; wallS: number };

async function viewersChangeFilters(app: BuiltApp, slug: string): Promise<Run> {
  const latencies: number[] = [];
  let ran = 0;
  let failed = 0;
  const cpuBefore = cpuSeconds(app.pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: VIEWERS }, async (_, v) => {
      const next = random(v + 1);
      const address = `10.${(v >> 8) & 255}.${v & 255}.7`;
      for (let c = 0; c < CHANGES; c++) {
        const region = REGIONS[Math.floor(next() * REGIONS.length)]!;
        const minimum = MINIMUMS[Math.floor(next() * MINIMUMS.length)]!;
        const values = encodeURIComponent(JSON.stringify({ region, minimum }));
        const t0 = performance.now();
        const res = await fetch(`${app.origin}/d/${slug}/cells/by_day?values=${values}`, {
          headers: { 'x-forwarded-for': address }
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) failed++;
        if (res.headers.get('x-sheaf-cache') === 'ran') ran++;
      }
    })
  );
  return {
    cpu: cpuSeconds(app.pid) - cpuBefore,
    latencies,
    ran,
    failed,
    wallS: (performance.now() - started) / 1000
  };
}

const suffix = randomBytes(5).toString('hex');
const dataSchema = `bench_filter_${suffix}`;
const appSchema = `bench_app_${suffix}`;
const role = `bench_reader_${suffix}`;
const password = randomBytes(12).toString('hex');
const key = randomBytes(32);
const admin = postgres(url, { max: 1, onnotice: () => {} });
const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-bench-filter-'));
const dataDir = path.join(dir, 'data');
let app: BuiltApp | undefined;

const appEnv = (cacheMb: string) => ({
  DATABASE_URL: url,
  DATABASE_SCHEMA: appSchema,
  SECRET_KEY: key.toString('base64'),
  SEED_DEMO: '0',
  CONNECTION_ALLOW_HOSTS: process.env.CONNECTION_ALLOW_HOSTS!,
  // Each simulated viewer has an address of its own, as behind a proxy.
  ADDRESS_HEADER: 'x-forwarded-for',
  // Both runs must answer every request: the limits are for people, not for this load.
  LIVE_CELL_RATE_PER_MINUTE: '100000',
  LIVE_CELL_CACHE_MB: cacheMb
});

try {
  await admin.unsafe(`create schema ${dataSchema}`);
  await admin.unsafe(`
    create table ${dataSchema}.orders as
    select g as id, (array['north','south','east','west','central'])[1 + g % 5] as region,
           (g::bigint * 7919 % 10000)::numeric(10,2) / 100 as amount, date '2024-01-01' + (g % 366) as day
      from generate_series(1, ${ROWS}) g`);
  await admin.unsafe(`analyze ${dataSchema}.orders`);
  await admin.unsafe(`create role ${role} login password '${password}'`);
  await admin.unsafe(`grant usage on schema ${dataSchema} to ${role}`);
  await admin.unsafe(`grant select on ${dataSchema}.orders to ${role}`);

  app = await startBuiltApp(dataDir, { seedDemo: false, env: appEnv('64') });
  const db = await openPostgres(url, appSchema);
  let slug: string;
  try {
    const ann = await person(db, 'Bench Ann');
    const conn = await createConnection(db, secretBox(key), {
      userId: ann.id,
      workspaceId: ann.workspaceId,
      input: {
        name: 'Warehouse',
        host: target.hostname,
        port: Number(target.port || 5432),
        database: target.pathname.slice(1) || 'postgres',
        user: role,
        password,
        ssl: 'disable'
      }
    });
    const nb = await createNotebook(db, ann.id, ann.workspaceId, { title: 'Sales by day' }, [
      {
        kind: 'input',
        name: 'region',
        config: { widget: 'dropdown', options: { from: 'list', values: REGIONS }, value: 'north' }
      },
      { kind: 'input', name: 'minimum', config: { widget: 'slider', min: 0, max: 100, step: 10, value: 0 } },
      {
        kind: 'sql',
        name: 'by_day',
        source: `select day, count(*) as orders, sum(amount) as total from ${dataSchema}.orders
                  where region = {{region}} and amount >= {{minimum}} group by day order by day`,
        config: { engine: conn.id }
      }
    ]);
    await editStoredDoc(db, nb.id, (doc) => {
      for (const c of orderedCells(doc)) addToLayout(doc, c, c.kind === 'input' ? 'input' : 'table');
    });
    ({ slug } = await publish(db, { dataDir, secretBox: () => secretBox(key) }, ann.id, nb.id, {
      visibility: 'public'
    }));
  } finally {
    await db.close();
  }

  console.log(
    `bench:filter-server — ${ROWS.toLocaleString('en-US')} orders in PostgreSQL, ${VIEWERS} viewers × ${CHANGES} ` +
      `filter changes at once (${REGIONS.length} regions × ${MINIMUMS.length} minimums)`
  );
  const on = await viewersChangeFilters(app, slug);
  await app.stop();
  app = await startBuiltApp(dataDir, { seedDemo: false, env: appEnv('0') });
  const off = await viewersChangeFilters(app, slug);

  const row = (name: string, r: Run) =>
    console.log(
      `  ${name}: server CPU ${r.cpu.toFixed(2)} s, ${r.ran} queries run, wall ${r.wallS.toFixed(1)} s, ` +
        `latency median ${median(r.latencies).toFixed(0)} ms, p95 ${p95(r.latencies).toFixed(0)} ms` +
        (r.failed ? `, ${r.failed} failed` : '')
    );
  row('cache on ', on);
  row('cache off', off);
  console.log(
    `  ratio off ÷ on: server CPU ${(off.cpu / Math.max(on.cpu, 0.01)).toFixed(1)}×, queries ` +
      `${(off.ran / Math.max(on.ran, 1)).toFixed(1)}×, p95 latency ${(p95(off.latencies) / p95(on.latencies)).toFixed(1)}×`
  );
} finally {
  await app?.stop();
  await admin.unsafe(`drop schema if exists ${dataSchema} cascade`).catch(() => {});
  await admin.unsafe(`drop schema if exists ${appSchema} cascade`).catch(() => {});
  await admin.unsafe(`drop role if exists ${role}`).catch(() => {});
  await admin.end();
  await rm(dir, { recursive: true, force: true });
}
