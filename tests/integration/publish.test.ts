// Published dashboards with a real database, file store, native DuckDB and PostgreSQL connection: what a snapshot
// holds (and never holds: the connection's password or host), who may open it, refreshes that pick up new data or
// fail without losing the last good snapshot, and scheduled refreshes.
import { readdir, readFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderedCells, type NewCell } from '../../cells/document';
import { addToLayout, placeItem } from '../../cells/layout';
import { loadDoc } from '../../server/collab/doc-store';
import { secretBox } from '../../server/connectors/secret-box';
import { deleteFile, listFiles } from '../../server/files/files';
import { storeResult } from '../../server/results/results';
import { createNotebook } from '../../server/notebooks/notebooks';
import { chartRowsPath, openDashboard } from '../../server/publish/open-dashboard';
import {
  publish,
  refreshAsEditor,
  refreshPublication,
  updatePublication
} from '../../server/publish/publications';
import { dueRefreshes, refreshDue } from '../../server/publish/schedule';
import { publicationDir } from '../../server/publish/snapshot';
import { openWorkbench } from '../../server/publish/workbench';
import { forkDashboard } from '../../server/publish/fork-dashboard';
import { join, person } from './helpers/people';
import { connectWarehouse } from './helpers/warehouse';
import { sampleDb, type SampleDb } from './helpers/sample-db';
import { freshDb, type TestDb } from './helpers/test-db';
import { SALES, salesNotebook as salesNotebookOf } from './helpers/sales-notebook';
import { editStoredDoc } from './helpers/edit-stored-doc';
import { uploadCsv } from './helpers/upload';
import { CellIdSchema, type NotebookId } from '../../server/ids';
import { getVersion, listVersions } from '../../server/versions/store';

let t: TestDb;
let dataDir: string;
let sample: SampleDb;
const box = secretBox(randomBytes(32));
const deps = () => ({ dataDir, secretBox: () => box });

beforeAll(async () => {
  sample = await sampleDb(2_000);
  t = await freshDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-publish-'));
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
  await sample?.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

const editDoc = (notebookId: NotebookId, change: (doc: Y.Doc) => void) =>
  editStoredDoc(t.db, notebookId, change);

const salesNotebook = (extra: NewCell[] = []) =>
  salesNotebookOf(t.db, dataDir, {
    owner: 'Publishing Ann',
    intro: '# Sales\nBy **region**. <script>alert(1)</script>',
    extra
  });

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  return out;
}

describe('publishing', () => {
  it('freezes the dashboard: text cleaned, chart drawn as SVG with its rows as Arrow, table and number computed on the server', async () => {
    const { ann, nb } = await salesNotebook();
    const status = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' });
    expect(status.slug).toMatch(/^[a-z2-7]{32}$/);

    const page = await openDashboard(t.db, dataDir, status.slug, null); // nobody logged in
    const items = page.dashboard.items;
    expect(items.map((i) => i.view).sort()).toEqual(['chart', 'number', 'table', 'text']);
    const text = items.find((i) => i.view === 'text')!;
    expect(text.view === 'text' && text.html).toContain('<strong>region</strong>');
    expect(text.view === 'text' && text.html).not.toContain('<script');

    const chart = items.find((i) => i.view === 'chart')!;
    if (chart.view !== 'chart') throw new Error('not a chart');
    expect(chart.svg).toContain('<svg');
    expect(chart.svg).toContain('aria-label="region: north; total: 15"');
    expect(chart.svg).toContain('aria-label="region: south; total: 20"');
    const rows = tableFromIPC(
      await readFile(await chartRowsPath(t.db, dataDir, status.slug, null, CellIdSchema.parse(chart.cellId)))
    );
    expect(rows.toArray().map((r) => [r.region, Number(r.total)])).toEqual([
      ['east', 7],
      ['north', 15],
      ['south', 20]
    ]);

    const number = items.find((i) => i.view === 'number')!;
    expect(number.view === 'number' && [number.label, number.value]).toEqual(['revenue', '42']);
    const table = items.find((i) => i.view === 'table')!;
    if (table.view !== 'table') throw new Error('not a table');
    expect(table.columns).toEqual(['region', 'total']);
    expect(table.rows).toEqual([
      ['east', '7'],
      ['north', '15'],
      ['south', '20']
    ]);
    expect(table.sql).toContain('group by region'); // a local cell's SQL is shown
    expect(page.canRefresh).toBe(false); // anonymous
    expect(page.canFork).toBe(false);
  });

  it('answers only those the visibility allows; off is not found; a deleted notebook takes its dashboard along', async () => {
    const { ann, nb } = await salesNotebook();
    const { slug } = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'members' });
    const stranger = await person(t.db, 'Stranger Sam');
    const viewer = await person(t.db, 'Viewer Vic');
    await join(t.db, ann, viewer, 'viewer');

    await expect(openDashboard(t.db, dataDir, slug, null)).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(openDashboard(t.db, dataDir, slug, stranger.id)).rejects.toMatchObject({
      code: 'not_found'
    });
    const seen = await openDashboard(t.db, dataDir, slug, viewer.id);
    expect(seen.canRefresh).toBe(false);
    expect(seen.canFork).toBe(true);
    expect((await openDashboard(t.db, dataDir, slug, ann.id)).canRefresh).toBe(true);
    await expect(refreshAsEditor(t.db, deps(), viewer.id, slug)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(updatePublication(t.db, viewer.id, nb.id, { visibility: 'public' })).rejects.toMatchObject({
      code: 'forbidden'
    });

    await updatePublication(t.db, ann.id, nb.id, { visibility: 'public', allowFork: true });
    expect((await openDashboard(t.db, dataDir, slug, stranger.id)).canFork).toBe(true);
    expect((await openDashboard(t.db, dataDir, slug, null)).canFork).toBe(false);

    await updatePublication(t.db, ann.id, nb.id, { visibility: 'off' });
    await expect(openDashboard(t.db, dataDir, slug, ann.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(chartRowsPath(t.db, dataDir, slug, ann.id, CellIdSchema.parse('x'))).rejects.toMatchObject({
      code: 'not_found'
    });

    // Re-publishing keeps the link.
    const again = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' });
    expect(again.slug).toBe(slug);
    await t.db.query('update notebooks set deleted_at = now() where id = $1', [nb.id]);
    await expect(openDashboard(t.db, dataDir, slug, ann.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refreshes from the current files, keeps one snapshot folder, and keeps the last good one when a query fails', async () => {
    const { ann, nb } = await salesNotebook();
    const { slug } = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' });
    const first = await openDashboard(t.db, dataDir, slug, null);
    const numberOf = (p: typeof first) => {
      const n = p.dashboard.items.find((i) => i.view === 'number');
      return n?.view === 'number' ? n.value : null;
    };
    expect(numberOf(first)).toBe('42');

    // New data under the same table name; the notebook itself is not touched.
    const [old] = (await t.db.query<{ id: string }>(
      "select id from files where workspace_id = $1 and table_name = 'sales'",
      [ann.workspaceId]
    )) as { id: string }[];
    await deleteFile(t.db, dataDir, ann.id, old!.id);
    await uploadCsv(t.db, dataDir, ann, 'sales.csv', SALES + 'west,1000\n');
    const refreshed = await refreshAsEditor(t.db, deps(), ann.id, slug);
    expect(refreshed.refreshError).toBeNull();
    const second = await openDashboard(t.db, dataDir, slug, null);
    expect(numberOf(second)).toBe('1,042');
    expect(second.refreshedAt! >= first.refreshedAt!).toBe(true);
    expect(await readdir(publicationDir(dataDir, nb.id))).toHaveLength(1);

    // The file goes away: the refresh fails, says which query and why, and the dashboard keeps its numbers.
    const [now] = (await t.db.query<{ id: string }>(
      "select id from files where workspace_id = $1 and table_name = 'sales'",
      [ann.workspaceId]
    )) as { id: string }[];
    await deleteFile(t.db, dataDir, ann.id, now!.id);
    const failed = await refreshPublication(t.db, deps(), nb.id);
    expect(failed.refreshError).toMatch(/The query "by_region" failed: .*sales/);
    expect(failed.refreshFailedAt).not.toBeNull();
    const third = await openDashboard(t.db, dataDir, slug, null);
    expect(numberOf(third)).toBe('1,042');
    expect(third.refreshError).toMatch(/could not be refreshed; the dashboard’s editors can see why/);
    expect(third.refreshError).not.toContain('by_region'); // the reason is for the editors
    expect((await openDashboard(t.db, dataDir, slug, ann.id)).refreshError).toBe(failed.refreshError);
    expect(third.refreshedAt).toBe(second.refreshedAt);
  }, 90_000); // three snapshot builds, each a child process

  it('publishes only what was frozen: later edits to the notebook wait for the next publish', async () => {
    const { ann, nb } = await salesNotebook();
    const { slug } = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' });
    await editDoc(nb.id, (doc) => {
      const grand = orderedCells(doc).find((c) => c.name === 'grand')!;
      grand.source.delete(0, grand.source.length);
      grand.source.insert(0, 'select 7 as revenue');
    });
    await refreshAsEditor(t.db, deps(), ann.id, slug);
    const after = (await openDashboard(t.db, dataDir, slug, null)).dashboard.items.find(
      (i) => i.view === 'number'
    );
    expect(after?.view === 'number' && after.value).toBe('42');
    await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' });
    const republished = (await openDashboard(t.db, dataDir, slug, null)).dashboard.items.find(
      (i) => i.view === 'number'
    );
    expect(republished?.view === 'number' && republished.value).toBe('7');
    // Each publish left a version in the history, holding what it published.
    const published = (await listVersions(t.db, nb.id)).filter((v) => v.kind === 'publish');
    expect(published).toHaveLength(2);
    const last = await getVersion(t.db, nb.id, published[0]!.id); // newest first
    const doc = new Y.Doc();
    Y.applyUpdate(doc, last!.state);
    expect(
      orderedCells(doc)
        .find((c) => c.name === 'grand')
        ?.source.toString()
    ).toBe('select 7 as revenue');
  }, 90_000); // three snapshot builds, each a child process

  it('cannot publish an empty dashboard, and the author’s SQL cannot read the server’s files', async () => {
    const ann = await person(t.db, 'Sneaky Ann');
    const nb = await createNotebook(t.db, ann.id, ann.workspaceId, { title: 'Empty' }, [
      { kind: 'sql', name: 'secret', source: "select * from read_csv('/etc/passwd')" }
    ]);
    await expect(publish(t.db, deps(), ann.id, nb.id, {})).rejects.toThrow(/dashboard is empty/);
    await editDoc(nb.id, (doc) => addToLayout(doc, orderedCells(doc)[0]!, 'table'));
    await expect(publish(t.db, deps(), ann.id, nb.id, {})).rejects.toThrow(
      /The query "secret" failed: .*(Permission|disabled)/
    );
  });

  it('runs one statement per cell, in DuckDB without file access: no temp folder, no COPY, no ATTACH', async () => {
    const bench = await openWorkbench([]);
    try {
      await expect(
        bench.runInto('x', "select 1); copy (select 'hello') to '.tmp/evil.csv'; create table y as (select 1")
      ).rejects.toThrow(/syntax error/);
      await expect(bench.runInto('x', "select 1; copy (select 'hello') to 'evil.csv'")).rejects.toThrow(
        /single statement/
      );
      const allowed = await bench.query(
        "select value from duckdb_settings() where name in ('allowed_directories', 'temp_directory')"
      );
      expect(allowed.toArray().map((r) => String(r.value))).toEqual(['[]', '']);
      await expect(bench.query("select * from glob('.tmp/*')")).rejects.toThrow(/Permission|disabled/);
      await expect(bench.runInto('z', "select * from read_text('/proc/self/environ')")).rejects.toThrow(
        /Permission|disabled/
      );
      await bench.runInto('ok', 'select 42 as answer');
      expect(Number((await bench.query('select answer from ok')).getChildAt(0)?.get(0))).toBe(42);
    } finally {
      bench.close();
    }
  });

  it('draws charts apart from the server: a spec that would exhaust memory gets an error, the other charts draw', async () => {
    const { ann, nb } = await salesNotebook([
      {
        kind: 'chart',
        source:
          '{"layer":[{"data":{"sequence":{"start":0,"stop":5000000}},"mark":"tick","encoding":{"x":{"field":"data","type":"quantitative"}}}]}',
        config: { source: 'by_region', mode: 'spec' }
      }
    ]);
    await editDoc(nb.id, (doc) => addToLayout(doc, orderedCells(doc).at(-1)!));
    const { slug } = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' });
    const charts = (await openDashboard(t.db, dataDir, slug, null)).dashboard.items.filter(
      (i) => i.view === 'chart'
    );
    expect(charts).toHaveLength(2);
    const [good, greedy] = charts as Extract<(typeof charts)[number], { view: 'chart' }>[];
    expect(good!.svg).toContain('region: north; total: 15');
    expect(greedy!.svg).toBeNull();
    expect(greedy!.spec).toBeNull();
    expect(greedy!.error).toMatch(/more time or memory than a dashboard chart may use/);
  }, 90_000);
});

describe('forking a dashboard', () => {
  it('copies only what was published: the cards and the queries they read, no stored results, no run records', async () => {
    const { ann, nb } = await salesNotebook([
      { kind: 'sql', name: 'private_notes', source: "select 'alice@example.com' as email" }
    ]);
    const hidden = orderedCells(await loadDoc(t.db, nb.id)).find((c) => c.name === 'private_notes')!;
    const arrow = Buffer.from(tableToIPC(tableFromArrays({ email: ['alice@example.com'] }), 'stream'));
    await storeResult(t.db, dataDir, {
      userId: ann.id,
      notebookId: nb.id,
      cellId: CellIdSchema.parse(hidden.id),
      runId: 'run1',
      body: Readable.from([arrow])
    });
    await editDoc(nb.id, (doc) => {
      const cell = orderedCells(doc).find((c) => c.name === 'by_region')!;
      cell.run.set('status', 'error');
      cell.run.set('error', 'could not reach db.internal.example:5432');
    });
    const { slug } = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' });
    const stranger = await person(t.db, 'Forking Fay');
    await expect(
      forkDashboard(t.db, dataDir, stranger.id, slug, { workspaceId: stranger.workspaceId })
    ).rejects.toMatchObject({
      code: 'forbidden'
    });
    await updatePublication(t.db, ann.id, nb.id, { allowFork: true });
    const fork = await forkDashboard(t.db, dataDir, stranger.id, slug, { workspaceId: stranger.workspaceId });
    expect(fork.title).toBe('Sales board (copy)');
    const doc = await loadDoc(t.db, fork.id);
    const cells = orderedCells(doc);
    expect(cells.map((c) => c.name).filter(Boolean)).toEqual(['by_region', 'grand']);
    expect(cells.every((c) => c.run.size === 0)).toBe(true);
    expect(JSON.stringify(Y.encodeStateAsUpdate(doc))).not.toContain('alice');
    expect(Buffer.from(Y.encodeStateAsUpdate(doc)).toString('latin1')).not.toContain('db.internal.example');
    expect(await t.db.query('select 1 from results where notebook_id = $1', [fork.id])).toHaveLength(0);
    expect((await listFiles(t.db, stranger.id, stranger.workspaceId)).map((f) => f.tableName)).toEqual([
      'sales'
    ]);
  });
});

describe('connection cells on a dashboard', () => {
  async function connected(showSql: boolean) {
    const ann = await person(t.db, 'Warehouse Ann');
    const conn = await connectWarehouse(t.db, box, ann, sample);
    const nb = await createNotebook(t.db, ann.id, ann.workspaceId, { title: 'Orders' }, [
      {
        kind: 'sql',
        name: 'orders_by_region',
        source: `select region, count(*)::int as orders from ${sample.schema}.orders group by region order by region`,
        config: { engine: conn.id }
      },
      { kind: 'sql', name: 'north', source: "select orders from orders_by_region where region = 'north'" },
      {
        kind: 'chart',
        config: {
          source: 'orders_by_region',
          mark: 'bar',
          x: { field: 'region', type: 'nominal' },
          y: { field: 'orders', type: 'quantitative' }
        }
      }
    ]);
    await editDoc(nb.id, (doc) => {
      const [db, local, chart] = orderedCells(doc);
      addToLayout(doc, db!, 'table');
      addToLayout(doc, local!, 'number');
      addToLayout(doc, chart!);
      placeItem(doc, chart!.id, { x: 6, y: 0, w: 6, h: 5 });
    });
    const status = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public', showSql });
    return { ann, nb, conn, slug: status.slug };
  }

  it('runs on the connection with the author’s access and joins locally; the snapshot never holds the password or host', async () => {
    const { ann, nb, slug } = await connected(false);
    const page = await openDashboard(t.db, dataDir, slug, null);
    const [count] = await sample.admin.unsafe(
      `select count(*)::int as n from ${sample.schema}.orders where region = 'north'`
    );
    const number = page.dashboard.items.find((i) => i.view === 'number');
    expect(number?.view === 'number' && number.value).toBe(Number(count!.n).toLocaleString('en-US'));
    const table = page.dashboard.items.find((i) => i.view === 'table');
    expect(table?.view === 'table' && table.sql).toBeNull(); // a connection cell's SQL stays hidden
    expect(number?.view === 'number' && number.sql).toContain("region = 'north'"); // a local cell's is shown
    const chart = page.dashboard.items.find((i) => i.view === 'chart');
    expect(chart?.view === 'chart' && chart.svg).toContain(`region: north; orders: ${count!.n}`);

    const stored = [
      JSON.stringify(page),
      ...(await Promise.all(
        (await allFiles(publicationDir(dataDir, nb.id))).map((f) => readFile(f, 'latin1'))
      )),
      ...(
        await t.db.query<Record<string, unknown>>('select * from publications where notebook_id = $1', [
          nb.id
        ])
      ).map((r) =>
        JSON.stringify(r, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v))
      )
    ].join('\n');
    expect(stored).toContain('north');
    for (const secret of [sample.password, sample.host, sample.role]) expect(stored).not.toContain(secret);

    // Forked by a member: the database query's SQL stays unpublished in the copy too.
    const fork = await forkDashboard(t.db, dataDir, ann.id, slug, { workspaceId: ann.workspaceId });
    const copied = orderedCells(await loadDoc(t.db, fork.id));
    expect(copied[0]!.source.toString()).toContain('was not published');
    expect(copied.map((c) => c.source.toString()).join('\n')).not.toContain(sample.schema);
  });

  it('refuses a connection of another workspace, even one the publisher can use', async () => {
    const { ann, conn } = await connected(false);
    const bea = await person(t.db, 'Second Bea');
    await join(t.db, bea, ann, 'editor'); // Ann also edits Bea's workspace
    const nb = await createNotebook(t.db, ann.id, bea.workspaceId, { title: 'Borrowed' }, [
      {
        kind: 'sql',
        name: 'borrowed',
        source: `select 1 as n from ${sample.schema}.orders limit 1`,
        config: { engine: conn.id }
      }
    ]);
    await editDoc(nb.id, (doc) => addToLayout(doc, orderedCells(doc)[0]!, 'number'));
    await expect(publish(t.db, deps(), ann.id, nb.id, {})).rejects.toThrow(/connection of another workspace/);
  });

  it('shows the SQL of connection cells only when the author allows it; a failing database keeps the last good data and hides its details', async () => {
    const { ann, slug } = await connected(true);
    const page = await openDashboard(t.db, dataDir, slug, null);
    const table = page.dashboard.items.find((i) => i.view === 'table');
    expect(table?.view === 'table' && table.sql).toContain(`${sample.schema}.orders`);

    await sample.admin.unsafe(`revoke select on all tables in schema ${sample.schema} from ${sample.role}`);
    try {
      const failed = await refreshAsEditor(t.db, deps(), ann.id, slug);
      expect(failed.refreshError).toMatch(/The query "orders_by_region" failed: .*permission denied/i);
      for (const secret of [sample.password, sample.host, sample.role])
        expect(failed.refreshError).not.toContain(secret);
      const after = await openDashboard(t.db, dataDir, slug, null);
      expect(after.dashboard).toEqual(page.dashboard);
    } finally {
      await sample.admin.unsafe(`grant select on all tables in schema ${sample.schema} to ${sample.role}`);
    }
  });

  it('refreshes on its schedule', async () => {
    const { ann, nb, slug } = await connected(false);
    await updatePublication(t.db, ann.id, nb.id, { schedule: 'hourly' });
    const before = await openDashboard(t.db, dataDir, slug, null);
    expect(await dueRefreshes(t.db, new Date())).not.toContain(nb.id);
    const later = new Date(Date.now() + 2 * 3_600_000);
    expect(await dueRefreshes(t.db, later)).toContain(nb.id);

    await sample.admin.unsafe(
      `insert into ${sample.schema}.orders (id, region, amount, ordered_on) select 100000 + g, 'north', 1, date '2024-01-01' from generate_series(1, 5) g`
    );
    await refreshDue(t.db, deps(), later);
    const after = await openDashboard(t.db, dataDir, slug, null);
    const value = (p: typeof before) => {
      const n = p.dashboard.items.find((i) => i.view === 'number');
      return n?.view === 'number' ? Number(n.value.replace(/,/g, '')) : NaN;
    };
    expect(value(after)).toBe(value(before) + 5);
    expect(after.refreshedAt! > before.refreshedAt!).toBe(true);
    // The next one is an hour after this refresh.
    const [row] = await t.db.query<{ next: Date }>(
      'select next_refresh_at as next from publications where notebook_id = $1',
      [nb.id]
    );
    const next = new Date(row!.next).getTime();
    expect(next).toBeGreaterThan(Date.now() + 3_500_000);
    expect(next).toBeLessThanOrEqual(Date.now() + 3_600_000);
  });
});
