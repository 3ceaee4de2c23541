// A dashboard link with filter values, first painted by the server (issue 21), against the built app (server/index.ts
// as `npm start` runs it) with a real PostgreSQL, file store and workbench child: GET /d/<slug>?region=south answers
// HTML whose number and table cards show south's figures — computed here independently with @duckdb/node-api
// over the same CSV — marked as computed for the viewer; a value the input does not allow falls back to the
// published cards. In process, over the same snapshot: a budget of 0 turns it off, a render finding no free slot
// falls back, a viewer over the live-cell rate limit falls back while cached values are still served, and a render
// that outlives the budget goes on to fill the cache; a members-only dashboard renders for members only.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderedCells, type NewCell } from '../../cells/document';
import { addToLayout } from '../../cells/layout';
import { RateLimiter } from '../../server/auth/rate-limit';
import { secretBox } from '../../server/connectors/secret-box';
import type { Db } from '../../server/db/types';
import type { UserId } from '../../server/ids';
import { createNotebook } from '../../server/notebooks/notebooks';
import { firstPaint, RenderSlots, type FirstPaintDeps } from '../../server/publish/first-paint';
import type { LiveResult } from '../../server/publish/live-cell';
import { SharedResultCache } from '../../server/publish/live-cache';
import { openDashboard } from '../../server/publish/open-dashboard';
import { publish } from '../../server/publish/publications';
import type { AppProcess } from './helpers/app-process';
import { startAppWithDb } from './helpers/app-with-db';
import { editStoredDoc } from './helpers/edit-stored-doc';
import { person } from './helpers/people';
import { uploadCsv } from './helpers/upload';

const REGIONS = ['north', 'south', 'east', 'west'];
const SALES =
  'region,amount\n' +
  Array.from({ length: 400 }, (_, i) => `${REGIONS[i % 4]},${(i * 37) % 1000}`).join('\n') +
  '\n';

const key = randomBytes(32);
let app: AppProcess;
let db: Db;
let stop: (() => Promise<void>) | undefined;
let slug: string;
let membersSlug: string;
let ann: Awaited<ReturnType<typeof person>>;
let csvDir: string;

beforeAll(async () => {
  ({ app, db, stop } = await startAppWithDb('paint', {
    SECRET_KEY: key.toString('base64'),
    ADDRESS_HEADER: 'x-forwarded-for',
    // Generous: a workbench child starts slowly on a busy test machine, and this test is about what it shows.
    FIRST_PAINT_BUDGET_MS: '30000'
  }));
  ann = await person(db, 'Paint Ann');
  await uploadCsv(db, app.dataDir, ann, 'sales.csv', SALES);
  const input = (name: string, config: Record<string, unknown>): NewCell => ({ kind: 'input', name, config });
  const cells: NewCell[] = [
    input('region', {
      widget: 'dropdown',
      label: 'Region',
      options: { from: 'list', values: REGIONS },
      value: 'north'
    }),
    {
      kind: 'sql',
      name: 'total',
      source: 'select sum(amount) as total from sales where region = {{region}}'
    },
    {
      kind: 'sql',
      name: 'biggest',
      source: 'select region, amount from sales where region = {{region}} order by amount desc limit 3'
    }
  ];
  const layout = (doc: Parameters<Parameters<typeof editStoredDoc>[2]>[0]) => {
    for (const c of orderedCells(doc))
      addToLayout(doc, c, c.kind === 'input' ? 'input' : c.name === 'total' ? 'number' : 'table');
  };
  const nb = await createNotebook(db, ann.id, ann.workspaceId, { title: 'First paint' }, cells);
  await editStoredDoc(db, nb.id, layout);
  const deps = { dataDir: app.dataDir, secretBox: () => secretBox(key) };
  ({ slug } = await publish(db, deps, ann.id, nb.id, { visibility: 'public' }));
  const copy = await createNotebook(db, ann.id, ann.workspaceId, { title: 'Members' }, cells);
  await editStoredDoc(db, copy.id, layout);
  ({ slug: membersSlug } = await publish(db, deps, ann.id, copy.id, { visibility: 'members' }));
  csvDir = await mkdtemp(path.join(tmpdir(), 'sheaf-paint-'));
  await writeFile(path.join(csvDir, 'sales.csv'), SALES);
}, 300_000);

afterAll(async () => {
  await stop?.();
  await rm(csvDir ?? '/nonexistent', { recursive: true, force: true });
});

/** A region's total and biggest amounts, straight from the CSV with DuckDB, as a KPI shows a number. */
async function expected(region: string) {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const csv = path.join(csvDir, 'sales.csv').replaceAll("'", "''");
    const total = await conn.runAndReadAll(
      `select sum(amount)::double as t from read_csv('${csv}') where region = '${region}'`
    );
    const top = await conn.runAndReadAll(
      `select amount::varchar as a from read_csv('${csv}') where region = '${region}' order by amount desc limit 3`
    );
    return {
      total: Number(total.getRowObjects()[0]!.t).toLocaleString('en-US', { maximumFractionDigits: 2 }),
      top: top.getRowObjects().map((r) => String(r.a))
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The page's cards as the server rendered them (the markup, not the page data after it). */
async function cardsOf(query: string) {
  const res = await fetch(`${app.base}/d/${slug}${query}`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
  expect(res.status).toBe(200);
  // Kept by the page cache per values (dashboard-page-cache.test.ts), for anyone: the URL holds the values.
  expect(res.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=30');
  const html = await res.text();
  const markup = html.slice(html.indexOf('data-testid="dashboard"'), html.indexOf('</article>'));
  const cards = markup.split('data-testid="card-body"').slice(1);
  const number = cards.find((c) => c.includes('data-testid="big-number-value"'))!;
  const table = cards.find((c) => c.includes('<table'))!;
  const state = (c: string) => /^\s*data-state="(\w+)"/.exec(c)?.[1];
  const value = />([^<]*)<\/p>/.exec(number.slice(number.indexOf('big-number-value')))?.[1];
  return { number: { state: state(number), value }, table: { state: state(table), text: table } };
}

describe('the first paint of a dashboard link with filter values', () => {
  it('shows the cards computed on the server for the URL values', async () => {
    const south = await expected('south');
    const north = await expected('north');
    expect(south.total).not.toBe(north.total);
    const page = await cardsOf('?region=south');
    expect(page.number).toEqual({ state: 'live', value: south.total });
    expect(page.table.state).toBe('live');
    for (const a of south.top) expect(page.table.text).toContain(`>${a}<`);

    // The published values: the snapshot, as before.
    const plain = await cardsOf('');
    expect(plain.number).toEqual({ state: 'snapshot', value: north.total });
  }, 120_000);

  it('falls back to the published cards for a value the input does not allow', async () => {
    const north = await expected('north');
    const page = await cardsOf('?region=' + encodeURIComponent("north' or 1=1 --"));
    expect(page.number).toEqual({ state: 'snapshot', value: north.total });
    expect(page.table.state).toBe('snapshot');
  }, 120_000);
});

describe('when the server computes a first paint', () => {
  const deps = (over: Partial<FirstPaintDeps> = {}): FirstPaintDeps => ({
    dataDir: app.dataDir,
    secretBox: () => secretBox(key),
    cache: new SharedResultCache<LiveResult>({ ttlMs: 60_000, maxBytes: 1e6 }),
    limiter: new RateLimiter(db, `test.${randomUUID()}`, { capacity: 20, refillEveryMs: 3000 }),
    perDashboard: new RateLimiter(db, `test.${randomUUID()}`, { capacity: 100, refillEveryMs: 600 }),
    paints: new SharedResultCache({ ttlMs: 60_000, maxBytes: 1e6 }),
    slots: new RenderSlots(2),
    budgetMs: 60_000,
    ...over
  });
  const ask = async (
    d: FirstPaintDeps,
    region: string,
    address = '198.51.100.7',
    on: { slug: string; userId: UserId | null } = { slug, userId: null }
  ) => {
    const page = await openDashboard(db, app.dataDir, on.slug, ann.id);
    return firstPaint(db, d, {
      slug: on.slug,
      snapshotId: page.snapshotId,
      dashboard: page.dashboard,
      params: new URLSearchParams({ region }),
      userId: on.userId,
      address
    });
  };
  const totalOf = (r: Awaited<ReturnType<typeof ask>>) => {
    const card = Object.values(r.rendered?.cards ?? {}).find((c) => c.view === 'number');
    return card?.view === 'number' ? card.value : null;
  };

  it('on a members-only dashboard, renders for members only', async () => {
    const d = deps();
    const stranger = await person(db, 'Paint Stranger');
    const refused = await ask(d, 'east', undefined, { slug: membersSlug, userId: stranger.id });
    expect(refused.rendered).toBeNull();
    expect(d.paints.size).toBe(0);
    const r = await ask(d, 'east', undefined, { slug: membersSlug, userId: ann.id });
    expect(totalOf(r)).toBe((await expected('east')).total);
  }, 120_000);

  it('is off with a budget of 0', async () => {
    const r = await ask(deps({ budgetMs: 0 }), 'east');
    expect(r).toEqual({ rendered: null, why: 'off' });
  });

  it('falls back when every render slot is taken, and renders once one is free', async () => {
    const d = deps({ slots: new RenderSlots(1) });
    expect(d.slots.take()).toBe(true); // another viewer's render
    expect(await ask(d, 'east')).toEqual({ rendered: null, why: 'busy' });
    expect(d.paints.size).toBe(0);
    d.slots.give();
    const r = await ask(d, 'east');
    expect(totalOf(r)).toBe((await expected('east')).total);
    expect(d.slots.busy).toBe(0);
  }, 120_000);

  it('counts renders against the live-cell rate limit; cached values are still served', async () => {
    const d = deps({
      limiter: new RateLimiter(db, `test.${randomUUID()}`, { capacity: 1, refillEveryMs: 3_600_000 })
    });
    expect(totalOf(await ask(d, 'west'))).toBe((await expected('west')).total);
    expect(await ask(d, 'east')).toEqual({ rendered: null, why: 'rate limited' });
    // Another viewer has a budget of their own; the first one's repeat comes from the cache.
    expect(totalOf(await ask(d, 'east', '192.0.2.44'))).toBe((await expected('east')).total);
    expect(totalOf(await ask(d, 'west'))).toBe((await expected('west')).total);
  }, 120_000);

  it('gives up at the budget, and the render goes on to fill the cache', async () => {
    const d = deps({ budgetMs: 1 });
    expect(await ask(d, 'south')).toEqual({ rendered: null, why: 'over budget' });
    await expect.poll(() => d.paints.size, { timeout: 60_000, interval: 200 }).toBe(1);
    const r = await ask({ ...d, budgetMs: 60_000, slots: new RenderSlots(0) }, 'south');
    // No slot at all: only the cache can have answered.
    expect(totalOf(r)).toBe((await expected('south')).total);
  }, 120_000);
});
