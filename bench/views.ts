// bench:views — many people reading one popular public dashboard. A dashboard of six cards (four charts with their
// server-drawn SVG, a table, a number) over a generated 100,000-row file is published publicly; the built app
// (server/index.ts on embedded PGlite, `npm run build` first) then gets --seconds of GET /d/<slug> from 20 and from
// 200 concurrent anonymous readers (keep-alive connections, one request at a time each), and, in the same run and
// with the same readers, GET /healthz as the baseline (in alternating windows, four of each). Every request says
// `Accept-Encoding: br, gzip` as a browser does (--accept-encoding to change it; '' for none): the kept page goes
// out brotli-compressed once its copies are made, which the run waits for. Prints views/s, p50 and p99 for each, the
// bytes a view sends, and views/s as a share of /healthz's rate (target ≥ 60%). Then the same with the page cache off
// (PAGE_CACHE_MB=0: every view renders), unless --no-off. The load generator shares the machine: report `uptime`
// with the figures.
//   npm run bench:views -- [--seconds 5] [--rows 100000] [--no-off] [--accept-encoding 'br, gzip']
import { Agent, request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { orderedCells, type NewCell } from '../cells/document';
import { addToLayout } from '../cells/layout';
import { createNotebook } from '../server/notebooks/notebooks';
import { editStoredDoc } from '../tests/integration/helpers/edit-stored-doc';
import { person } from '../tests/integration/helpers/people';
import { startBuiltApp, type BuiltApp } from './built-app';
import { fourSalesCharts, openBenchDb, publishPublicly, uploadSales, writeParquet } from './sales-dashboard';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rows: { type: 'string', default: '100000' },
    'no-off': { type: 'boolean', default: false },
    'accept-encoding': { type: 'string', default: 'br, gzip' }
  }
});
/** What every request of the run accepts; none sent when ''. */
const ACCEPT = args['accept-encoding'];
const HEADERS: Record<string, string> = ACCEPT ? { 'accept-encoding': ACCEPT } : {};
const SECONDS = Number(args.seconds);
const ROWS = Number(args.rows);
const LEVELS = [20, 200];
const ROUNDS = 4;

async function setUp(dataDir: string): Promise<string> {
  const db = await openBenchDb(dataDir);
  try {
    const ann = await person(db, 'Bench Views');
    const parquet = path.join(dataDir, 'sales-source.parquet');
    await writeParquet(
      parquet,
      `select (['north','south','east','west'])[1 + i % 4] as region, 'category ' || (i % 25) as category,
             (i % 9) + 1 as qty, round((i * 7919) % 100000 / 100.0, 2) as amount,
             timestamp '2022-01-01' + to_seconds(i * 900) as ordered_at
        from range(${ROWS}) t(i)`
    );
    await uploadSales(db, dataDir, { userId: ann.id, workspaceId: ann.workspaceId }, parquet);
    const cells: NewCell[] = [
      ...fourSalesCharts(),
      {
        kind: 'sql',
        name: 'by_region',
        source:
          'select region, count(*) as orders, sum(amount) as amount from sales group by region order by region'
      },
      { kind: 'sql', name: 'total', source: 'select sum(amount) as total from sales' }
    ];
    const nb = await createNotebook(db, ann.id, ann.workspaceId, { title: 'Popular dashboard' }, cells);
    await editStoredDoc(db, nb.id, (doc) => {
      for (const c of orderedCells(doc))
        addToLayout(doc, c, c.kind === 'chart' ? 'chart' : c.name === 'total' ? 'number' : 'table');
    });
    const { slug } = await publishPublicly(db, dataDir, ann.id, nb.id);
    return slug;
  } finally {
    await db.close();
  }
}

type Run = { perSecond: number; p50: number; p99: number; failures: number };

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

type Got = { status: number; bytes: number; encoding: string };

/** One GET as the run's readers send it; `bytes` as sent (not decoded). */
function get(agent: Agent, url: URL): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: 'GET', headers: HEADERS }, (res) => {
      let bytes = 0;
      res.on('data', (b: Buffer) => (bytes += b.length));
      const encoding = res.headers['content-encoding'] ?? 'identity';
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, encoding }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

type Window = { times: number[]; seconds: number; failures: number };

/** `readers` loops on `agent`, each sending its next request when the last one is answered, for `seconds`. */
async function load(agent: Agent, target: URL, readers: number, seconds: number): Promise<Window> {
  const times: number[] = [];
  let failures = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: readers }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        const r = await get(agent, target).catch(() => ({ status: 0, bytes: 0 }));
        times.push(performance.now() - t);
        if (r.status !== 200) failures++;
      }
    })
  );
  return { times, seconds: (performance.now() - started) / 1000, failures };
}

function summary(windows: Window[]): Run {
  const times = windows.flatMap((w) => w.times).sort((a, b) => a - b);
  const seconds = windows.reduce((s, w) => s + w.seconds, 0);
  return {
    perSecond: times.length / seconds,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    failures: windows.reduce((s, w) => s + w.failures, 0)
  };
}

/**
 * /healthz and the page in alternating windows (ROUNDS of each, SECONDS in all for each), so that a change in the
 * machine's load during the run weighs on both alike.
 */
async function compare(health: string, page: string, readers: number): Promise<{ health: Run; views: Run }> {
  const sides = [health, page].map((url) => ({
    agent: new Agent({ keepAlive: true, maxSockets: readers }),
    target: new URL(url),
    windows: [] as Window[]
  }));
  for (const side of sides)
    await Promise.all(Array.from({ length: readers }, () => get(side.agent, side.target))); // connections open
  for (let round = 0; round < ROUNDS; round++)
    for (const side of sides)
      side.windows.push(await load(side.agent, side.target, readers, SECONDS / ROUNDS));
  for (const side of sides) side.agent.destroy();
  return { health: summary(sides[0]!.windows), views: summary(sides[1]!.windows) };
}

const fmt = (r: Run) =>
  `${r.perSecond.toFixed(0).padStart(6)}/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms` +
  (r.failures ? `  (${r.failures} failed)` : '');

async function measure(app: BuiltApp, slug: string, label: string, cached: boolean): Promise<void> {
  const page = `${app.origin}/d/${slug}`;
  const first = await fetch(page, { headers: { 'accept-encoding': 'identity' } });
  const identityKb = (await first.arrayBuffer()).byteLength / 1024;
  // A kept page's compressed copies are made just after it is kept: wait for them (a few tries) so the run measures
  // the steady state, not the first moments after a publish.
  const agent = new Agent({ keepAlive: true });
  let sent = await get(agent, new URL(page));
  for (let i = 0; i < 50 && ACCEPT && sent.encoding === 'identity' && cached; i++) {
    await new Promise((r) => setTimeout(r, 100));
    sent = await get(agent, new URL(page));
  }
  agent.destroy();
  console.log(
    `\n${label}: page ${identityKb.toFixed(0)} KB, sent as ${sent.encoding} ${(sent.bytes / 1024).toFixed(1)} KB ` +
      `(Accept-Encoding: ${ACCEPT || 'none'}), cache-control "${first.headers.get('cache-control')}", ` +
      `etag ${first.headers.get('etag') ?? 'none'}`
  );
  for (const readers of LEVELS) {
    const { health, views } = await compare(`${app.origin}/healthz`, page, readers);
    const share = views.perSecond / health.perSecond;
    console.log(`  ${String(readers).padStart(3)} readers  /healthz ${fmt(health)}`);
    console.log(
      `               views    ${fmt(views)}   ${(share * 100).toFixed(0)}% of /healthz ` +
        `(target ≥ 60%: ${share >= 0.6 ? 'met' : 'missed'})   load ${loadavg()[0]!.toFixed(2)}`
    );
  }
}

const dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-bench-views-'));
let app: BuiltApp | undefined;
try {
  console.log(
    `bench:views — one public dashboard, ${SECONDS} s per measurement; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`
  );
  const slug = await setUp(dataDir);
  app = await startBuiltApp(dataDir, { seedDemo: false });
  await measure(app, slug, 'page cache on', true);
  await app.stop();
  app = undefined;
  if (!args['no-off']) {
    app = await startBuiltApp(dataDir, { seedDemo: false, env: { PAGE_CACHE_MB: '0' } });
    await measure(app, slug, 'page cache off (PAGE_CACHE_MB=0: every view renders)', false);
  }
} finally {
  await app?.stop();
  await rm(dataDir, { recursive: true, force: true });
}
