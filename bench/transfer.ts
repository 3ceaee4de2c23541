// bench:transfer — 1M rows × 10 mixed-type columns from PostgreSQL to headless Chromium, in one run:
//   Sheaf:  the real query route (read-only transaction, binary COPY decoded into Arrow, IPC stream over HTTP),
//           read in the page with RecordBatchReader;
//   JSON:   the same rows from a plain JSON endpoint (postgres.js cursor → JSON array), read with res.json();
//   COPY:   `psql -c "COPY (…) TO STDOUT"` into /dev/null — the database's own fastest export, no browser.
// Prints rows/s (median of --repeat runs) and the ratios. Targets: Arrow ≥ 50% of COPY, ≥ 5× JSON.
//   npm run bench:transfer -- [--rows 1000000] [--repeat 3]      (needs BENCH_DATABASE_URL or TEST_DATABASE_URL)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { build } from 'esbuild';
import postgres from 'postgres';
import { signUp } from '../server/auth/accounts';
import { secretBox } from '../server/connectors/secret-box';
import { createConnection } from '../server/connectors/store';
import { migrate, readMigrations } from '../server/db/migrate';
import { openPglite } from '../server/db/pglite';
import { createRawHandler } from '../server/http/raw-routes';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, repeat: { type: 'string', default: '3' } }
});
const ROWS = Number(values.rows);
const REPEAT = Number(values.repeat);
const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!url) {
  console.error(
    'bench:transfer needs a PostgreSQL superuser URL in BENCH_DATABASE_URL (or TEST_DATABASE_URL).'
  );
  process.exit(2);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const perSecond = (ms: number) => Math.round((ROWS / ms) * 1000);

const admin = postgres(url, { max: 1, onnotice: () => {} });
const schema = `bench_transfer_${randomBytes(4).toString('hex')}`;
const QUERY = `select * from ${schema}.sales`;
const target = new URL(url);
// The benchmark's database is usually on this machine, which connections refuse unless allowed.
process.env.CONNECTION_ALLOW_HOSTS ??= target.hostname;

console.log(`bench:transfer — ${ROWS.toLocaleString('en-US')} rows × 10 columns, median of ${REPEAT} runs`);
await admin.unsafe(`create schema ${schema}`);
await admin.unsafe(`
  create table ${schema}.sales as
  select g::bigint as id, (g % 1000)::int as qty, (g % 9973) * 1.25::float8 as price,
         ((g % 100000) / 100.0)::numeric(12,2) as amount, 'customer ' || (g % 50000) as name,
         (array['books','garden','toys','music','food'])[1 + g % 5] as category,
         date '2020-01-01' + (g % 1500) as sold_on,
         timestamptz '2020-01-01 00:00:00+00' + make_interval(secs => g) as sold_at,
         g % 3 = 0 as paid, md5(g::text)::uuid as code
    from generate_series(1, ${ROWS}) g`);
await admin.unsafe(`analyze ${schema}.sales`);

// The app side: an embedded database holding a user and the connection, and the real raw routes.
const appDb = await openPglite();
await migrate(appDb, await readMigrations(path.resolve('migrations')));
const box = secretBox(randomBytes(32));
const me = await signUp(appDb, {
  email: 'bench@example.test',
  name: 'Bench',
  password: 'correct horse battery'
});
const connection = await createConnection(appDb, box, {
  userId: me.user.id,
  workspaceId: me.workspaceId,
  input: {
    name: 'bench',
    host: target.hostname,
    port: Number(target.port || 5432),
    database: target.pathname.slice(1) || 'postgres',
    user: decodeURIComponent(target.username || 'postgres'),
    password: decodeURIComponent(target.password) || undefined,
    ssl: 'disable',
    rowCap: 10_000_000
  }
});
const raw = createRawHandler({
  getDb: async () => appDb,
  dataDir: await mkdtemp(path.join(tmpdir(), 'sheaf-bench-transfer-')),
  uploadLimitBytes: 1,
  secretBox: () => box
});
const jsonSql = postgres(url, { max: 1, onnotice: () => {} });

const work = await mkdtemp(path.join(tmpdir(), 'sheaf-bench-arrow-'));
await writeFile(path.join(work, 'entry.mjs'), "export { RecordBatchReader } from 'apache-arrow';\n");
const bundle = await build({
  entryPoints: [path.join(work, 'entry.mjs')],
  bundle: true,
  format: 'esm',
  write: false,
  nodePaths: [path.resolve('node_modules')],
  logLevel: 'warning'
});
const arrowJs = bundle.outputFiles[0]!.text;

const server = createServer((req, res) => {
  if (raw(req, res)) return;
  if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html>');
  if (req.url === '/arrow.mjs')
    return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(arrowJs);
  if (req.url === '/json') {
    // A straightforward JSON API: rows from a cursor, written as one array.
    void (async () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let first = true;
      res.write('[');
      for await (const rows of jsonSql.unsafe(QUERY).cursor(10_000)) {
        const text = rows.map((r) => JSON.stringify(r)).join(',');
        if (!res.write((first ? '' : ',') + text)) await new Promise((r) => res.once('drain', r));
        first = false;
      }
      res.end(']');
    })();
    return;
  }
  res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu']
});
try {
  const context = await browser.newContext();
  await context.addCookies([{ name: 'sheaf_session', value: me.token, url: origin }]);
  const page = await context.newPage();
  await page.goto(origin + '/');

  const arrowRun = () =>
    page.evaluate(async (id) => {
      const { RecordBatchReader } = await import(/* @vite-ignore */ '/arrow.mjs' as string);
      const t0 = performance.now();
      const res = await fetch(`/api/connections/${id}/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sql: (window as unknown as { QUERY: string }).QUERY })
      });
      let rows = 0;
      let first = true;
      for await (const reader of RecordBatchReader.readAll(res.body)) {
        for await (const batch of reader) if (first) rows += batch.numRows;
        first = false;
      }
      return { ms: performance.now() - t0, rows };
    }, connection.id);
  const jsonRun = () =>
    page.evaluate(async () => {
      const t0 = performance.now();
      const rows = (await (await fetch('/json')).json()) as unknown[];
      return { ms: performance.now() - t0, rows: rows.length };
    });
  const copyRun = () => {
    const t0 = performance.now();
    const r = spawnSync('psql', [url, '-X', '-q', '-c', `copy (${QUERY}) to stdout`], {
      stdio: ['ignore', 'ignore', 'inherit']
    });
    if (r.status !== 0) throw new Error('psql failed; is the PostgreSQL client installed?');
    return performance.now() - t0;
  };
  await page.evaluate((q) => Object.assign(window, { QUERY: q }), QUERY);

  const a: number[] = [];
  const j: number[] = [];
  const c: number[] = [];
  for (let i = 0; i <= REPEAT; i++) {
    const ar = await arrowRun();
    const jr = await jsonRun();
    const cr = copyRun();
    if (ar.rows !== ROWS || jr.rows !== ROWS)
      throw new Error(`row counts differ: arrow ${ar.rows}, json ${jr.rows}`);
    if (i === 0) continue; // warm-up
    a.push(ar.ms);
    j.push(jr.ms);
    c.push(cr);
  }
  const [am, jm, cm] = [median(a), median(j), median(c)];
  console.log('\n                       ms     rows/s');
  console.log(
    `Sheaf Arrow → browser ${am.toFixed(0).padStart(6)} ${perSecond(am).toLocaleString('en-US').padStart(10)}`
  );
  console.log(
    `JSON → browser        ${jm.toFixed(0).padStart(6)} ${perSecond(jm).toLocaleString('en-US').padStart(10)}`
  );
  console.log(
    `psql COPY → /dev/null ${cm.toFixed(0).padStart(6)} ${perSecond(cm).toLocaleString('en-US').padStart(10)}`
  );
  console.log(`\nArrow throughput / COPY: ${((cm / am) * 100).toFixed(0)}% (target ≥ 50%)`);
  console.log(`Arrow / JSON: ${(jm / am).toFixed(2)}× faster (target ≥ 5×)`);
} finally {
  await browser.close();
  server.close();
  await jsonSql.end();
  await admin.unsafe(`drop schema ${schema} cascade`);
  await admin.end();
  await appDb.close();
}
