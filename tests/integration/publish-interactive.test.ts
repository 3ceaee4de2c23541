// Interactive dashboards, the publish side (issue 21), with a real database, file store, workbench child and HTTP
// server: publishing a notebook whose filter input is on the grid writes `interactive` into dashboard.json and
// the base tables as Parquet with only the columns the re-run queries use and every row; a refresh rebuilds them
// with new data; viewers read them with range requests under the dashboard's own access rules, and nothing else.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderedCells, type NewCell } from '../../cells/document';
import { PublishedDashboardSchema } from '../../cells/published';
import { addToLayout } from '../../cells/layout';
import { listFiles, parquetPath } from '../../server/files/files';
import type { NotebookId } from '../../server/ids';
import { createNotebook } from '../../server/notebooks/notebooks';
import { openDashboard } from '../../server/publish/open-dashboard';
import { publish, refreshAsEditor, updatePublication } from '../../server/publish/publications';
import { publicationExposure } from '../../server/publish/exposure';
import { DASHBOARD_FILE, snapshotDir } from '../../server/publish/snapshot';
import { writeBaseTables } from '../../server/publish/interactive-tables';
import { openWorkbench } from '../../server/publish/workbench';
import { editStoredDoc } from './helpers/edit-stored-doc';
import { send, startFilesServer, type FilesServer } from './helpers/files-server';
import { join, person } from './helpers/people';
import { connectWarehouse } from './helpers/warehouse';
import { sampleDb, type SampleDb } from './helpers/sample-db';
import { freshDb, type TestDb } from './helpers/test-db';
import { uploadCsv } from './helpers/upload';

const SALES =
  'region,amount,secret,note\n' +
  Array.from({ length: 500 }, (_, i) => `${['north', 'south', 'east'][i % 3]},${i},s${i},n${i}`).join('\n') +
  '\n';

let t: TestDb;
let server: FilesServer;
const deps = () => ({ dataDir: server.dataDir, secretBox: () => server.box });

beforeAll(async () => {
  t = await freshDb();
  server = await startFilesServer(t.db);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await t?.cleanup();
  await rm(server?.dataDir ?? '/nonexistent', { recursive: true, force: true });
});

const input = (name: string, config: Record<string, unknown>): NewCell => ({ kind: 'input', name, config });

async function board(visibility: 'public' | 'members') {
  const ann = await person(t.db, 'Interactive Ann');
  await uploadCsv(t.db, server.dataDir, ann, 'sales.csv', SALES);
  const nb = await createNotebook(t.db, ann.id, ann.workspaceId, { title: 'Live' }, [
    input('region', {
      widget: 'dropdown',
      options: { from: 'list', values: ['north', 'south', 'east'] },
      value: 'north'
    }),
    // Off the grid: fixed at its published value for viewers.
    input('floor', { widget: 'number', value: 0 }),
    // Upstream of the filter, computed at publish: a base table of its own, with only what the re-runs read.
    { kind: 'sql', name: 'clean', source: 'select region, amount, note from sales where amount >= 0' },
    {
      kind: 'sql',
      name: 'by_region',
      source:
        'select region, sum(amount) as total from clean c where c.region = {{region}} and amount >= {{floor}} group by all'
    },
    { kind: 'sql', name: 'rows_in', source: 'select count(*) as n from "SALES" where region = {{region}}' },
    {
      kind: 'chart',
      source: '',
      config: {
        source: 'by_region',
        mark: 'bar',
        x: { field: 'region', type: 'nominal' },
        y: { field: 'total', type: 'quantitative' }
      }
    },
    { kind: 'text', source: 'Sales in **{{region}}**' },
    { kind: 'sql', name: 'fixed', source: 'select max(secret) as s from sales' }
  ]);
  await editStoredDoc(t.db, nb.id, (doc) => {
    for (const c of orderedCells(doc)) {
      if (c.name === 'region') addToLayout(doc, c, 'input');
      else if (c.name === 'by_region' || c.name === 'fixed') addToLayout(doc, c, 'table');
      else if (c.name === 'rows_in') addToLayout(doc, c, 'number');
      else if (c.kind === 'chart') addToLayout(doc, c, 'chart');
      else if (c.kind === 'text') addToLayout(doc, c, 'text');
    }
  });
  const { slug } = await publish(t.db, deps(), ann.id, nb.id, { visibility });
  return { ann, nb, slug };
}

async function dashboardOf(notebookId: NotebookId, snapshotId: string) {
  const dir = snapshotDir(server.dataDir, notebookId, snapshotId);
  const json = PublishedDashboardSchema.parse(
    JSON.parse(await readFile(path.join(dir, DASHBOARD_FILE), 'utf8'))
  );
  return { dir, dashboard: json };
}

const get = (url: string, headers: Record<string, string> = {}) =>
  send(server.port, { method: 'GET', path: url, headers });

async function parquetRows(bytes: Buffer) {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { meta: parquetMetadata(file), rows: await parquetReadObjects({ file }) };
}

// Each test publishes once or more: the workbench and chart children start each time, slow on a busy machine.
const SLOW = 180_000;

describe('publishing an interactive dashboard', () => {
  it(
    'writes the plan and base tables with only the used columns and every row',
    async () => {
      const { nb, slug } = await board('public');
      const page = await openDashboard(t.db, server.dataDir, slug, null);
      const { dir, dashboard } = await dashboardOf(nb.id, page.snapshotId);
      const live = dashboard.interactive!;
      expect(live.inputs.map((i) => [i.name, i.initial, i.choices])).toEqual([
        ['region', 'north', ['north', 'south', 'east']]
      ]);
      expect(live.inputs[0]!.config).not.toHaveProperty('value');
      expect(live.fixed).toEqual({ floor: { type: 'number', value: 0 } });
      expect(live.cells).toEqual([
        {
          runsOn: 'browser',
          name: 'by_region',
          sql: 'select region, sum(amount) as total from clean c where c.region = {{region}} and amount >= {{floor}} group by all'
        },
        {
          runsOn: 'browser',
          name: 'rows_in',
          sql: 'select count(*) as n from "SALES" where region = {{region}}'
        }
      ]);
      // The fixed card follows no input; the table, number, chart and text do.
      expect(live.cards.map((c) => c.inputs)).toEqual([['region'], ['region'], ['region'], ['region']]);
      const chart = live.cards.find((c) => c.chart)!;
      expect(chart.chart!.source).toBe('by_region');
      expect(chart.chart!.spec).toMatchObject({
        mark: { type: 'bar' },
        encoding: { x: { field: 'region' } }
      });
      expect(live.cards.find((c) => c.markdown)!.markdown).toBe('Sales in **{{region}}**');
      expect(live.frozen).toEqual([]);

      // clean: note is never read by the re-runs; sales: only region (count(*) reads no column). `secret`, read
      // only by the fixed card, is published nowhere.
      const byName = new Map(live.tables.map((tb) => [tb.name, tb]));
      expect([...byName.keys()].sort()).toEqual(['clean', 'sales']);
      expect(byName.get('clean')!.columns.map((c) => c.name)).toEqual(['region', 'amount']);
      expect(byName.get('sales')!.columns.map((c) => c.name)).toEqual(['region']);
      for (const tb of live.tables) {
        const bytes = await readFile(path.join(dir, tb.file));
        expect(tb.bytes).toBe(bytes.length);
        const { meta, rows } = await parquetRows(bytes);
        expect(meta.schema.slice(1).map((s) => s.name)).toEqual(tb.columns.map((c) => c.name));
        expect(rows).toHaveLength(500);
        expect(tb.rows).toBe(500);
      }
      const clean = (await parquetRows(await readFile(path.join(dir, byName.get('clean')!.file)))).rows;
      expect(clean.reduce((n, r) => n + Number(r.amount), 0)).toBe((499 * 500) / 2);
    },
    SLOW
  );

  it(
    'precomputes each dropdown choice’s results, which viewers fetch as the page lets them',
    async () => {
      const { nb, slug } = await board('public');
      const page = await openDashboard(t.db, server.dataDir, slug, null);
      const { dashboard } = await dashboardOf(nb.id, page.snapshotId);
      const [answers, ...more] = dashboard.interactive!.precomputed ?? [];
      expect(more).toEqual([]);
      // Both re-run cells follow the dropdown alone (floor is fixed): one file per region holds both results.
      expect(answers!.inputs).toEqual(['region']);
      const byRegion = new Map(
        Object.entries(answers!.answers).map(([key, a]) => [
          (JSON.parse(key) as [{ value: string }])[0].value,
          a
        ])
      );
      expect([...byRegion.keys()].sort()).toEqual(['east', 'north', 'south']);
      for (const [region, answer] of byRegion) {
        expect(answer.parts.map((p) => p.cell)).toEqual(['by_region', 'rows_in']);
        const res = await get(`/d/${slug}/snapshots/${page.snapshotId}/${answer.file}`);
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
        const tables: Record<string, unknown>[][] = [];
        let at = 0;
        for (const part of answer.parts) {
          tables.push(
            tableFromIPC(res.body.subarray(at, at + part.bytes))
              .toArray()
              .map((r) => r.toJSON())
          );
          at += part.bytes;
        }
        expect(at).toBe(res.body.length);
        // What the rows of SALES say for that region, counted here.
        const mine = Array.from({ length: 500 }, (_, i) => i).filter(
          (i) => ['north', 'south', 'east'][i % 3] === region
        );
        expect(tables[0]!.map((r) => [r.region, Number(r.total)])).toEqual([
          [region, mine.reduce((a, b) => a + b, 0)]
        ]);
        expect(tables[1]!.map((r) => Number(r.n))).toEqual([mine.length]);
      }
      // Only the files the snapshot lists.
      expect((await get(`/d/${slug}/snapshots/${page.snapshotId}/answer-999.arrow`)).status).toBe(404);
    },
    SLOW
  );

  it(
    'a refresh rebuilds the base tables from the new data',
    async () => {
      const { ann, nb, slug } = await board('public');
      const before = (await openDashboard(t.db, server.dataDir, slug, null)).snapshotId;
      // The uploaded file changes under the same table name (as a re-upload replacing it would).
      const [file] = (await listFiles(t.db, ann.id, ann.workspaceId)).filter((f) => f.tableName === 'sales');
      const other = await person(t.db, 'Scratch');
      await uploadCsv(t.db, server.dataDir, other, 'sales.csv', 'region,amount,secret,note\nwest,7,x,y\n');
      const [scratch] = await listFiles(t.db, other.id, other.workspaceId);
      await writeFile(
        parquetPath(server.dataDir, ann.workspaceId, file!.id),
        await readFile(parquetPath(server.dataDir, other.workspaceId, scratch!.id))
      );
      expect((await refreshAsEditor(t.db, deps(), ann.id, slug)).refreshError).toBeNull();
      const after = (await openDashboard(t.db, server.dataDir, slug, null)).snapshotId;
      expect(after).not.toBe(before);
      const { dir, dashboard } = await dashboardOf(nb.id, after);
      const sales = dashboard.interactive!.tables.find((tb) => tb.name === 'sales')!;
      expect((await parquetRows(await readFile(path.join(dir, sales.file)))).rows).toEqual([
        { region: 'west' }
      ]);
      // The old snapshot's URL now says to reload.
      const gone = await get(`/d/${slug}/snapshots/${before}/${sales.file}`);
      expect(gone.status).toBe(404);
      expect(gone.body.toString()).toContain('Reload the page');
    },
    SLOW
  );
});

describe('serving base tables', () => {
  it(
    'lets a logged-out viewer of a public dashboard read a table with ranges, and nothing else',
    async () => {
      const { ann, nb, slug } = await board('public');
      const { snapshotId } = await openDashboard(t.db, server.dataDir, slug, null);
      const { dir, dashboard } = await dashboardOf(nb.id, snapshotId);
      const tb = dashboard.interactive!.tables[0]!;
      const whole = await readFile(path.join(dir, tb.file));
      const url = `/d/${slug}/snapshots/${snapshotId}/${tb.file}`;

      const full = await get(url);
      expect(full.status).toBe(200);
      expect(full.body.equals(whole)).toBe(true);
      expect(full.headers['cache-control']).toBe('public, max-age=3600, immutable');
      expect(full.headers.etag).toBe(`"${snapshotId}-${tb.file}"`);
      // The footer, then a piece, as a range reader does.
      const tail = await get(url, { range: 'bytes=-8' });
      expect(tail.status).toBe(206);
      expect(tail.body.toString('latin1', 4)).toBe('PAR1');
      const piece = await get(url, { range: 'bytes=4-99' });
      expect(piece.status).toBe(206);
      expect(piece.headers['content-range']).toBe(`bytes 4-99/${whole.length}`);
      expect(piece.body.equals(whole.subarray(4, 100))).toBe(true);
      expect((await get(url, { range: `bytes=${whole.length + 10}-` })).status).toBe(416);
      expect((await get(url, { 'if-none-match': full.headers.etag as string })).status).toBe(304);

      const refused = [
        `/d/${slug}/snapshots/${snapshotId}/${DASHBOARD_FILE}`,
        `/d/${slug}/snapshots/${snapshotId}/table-99.parquet`,
        `/d/${slug}/snapshots/${snapshotId}/..%2F..%2F..%2Fetc%2Fpasswd`,
        `/d/${slug}/snapshots/${snapshotId}/%2E%2E%2F${DASHBOARD_FILE}`,
        `/d/${slug}/snapshots/..%2F${snapshotId}/${tb.file}`,
        `/d/${slug}/snapshots/aaaaaaaaaaaaaaaa/${tb.file}`,
        `/d/${slug}/snapshots/${snapshotId}/%E0${tb.file}`,
        `/d/not-a-dashboard/snapshots/${snapshotId}/${tb.file}`
      ];
      for (const bad of refused) expect((await get(bad)).status, bad).toBe(404);
      // Another dashboard's snapshot id under this slug.
      const other = await board('public');
      const otherId = (await openDashboard(t.db, server.dataDir, other.slug, null)).snapshotId;
      expect((await get(`/d/${slug}/snapshots/${otherId}/${tb.file}`)).status).toBe(404);
      // Turned off: gone for everyone.
      await updatePublication(t.db, ann.id, nb.id, { visibility: 'off' });
      expect((await get(url)).status).toBe(404);
    },
    SLOW
  );

  it(
    'a members-only dashboard’s tables need a member',
    async () => {
      const { ann, nb, slug } = await board('members');
      const { snapshotId } = await openDashboard(t.db, server.dataDir, slug, ann.id);
      const { dashboard } = await dashboardOf(nb.id, snapshotId);
      const url = `/d/${slug}/snapshots/${snapshotId}/${dashboard.interactive!.tables[0]!.file}`;
      expect((await get(url)).status).toBe(401);
      const stranger = await person(t.db, 'Stranger');
      expect((await get(url, { cookie: `sheaf_session=${stranger.token}` })).status).toBe(404);
      const member = await person(t.db, 'Member');
      await join(t.db, ann, member, 'viewer');
      const ok = await get(url, { cookie: `sheaf_session=${member.token}` });
      expect(ok.status).toBe(200);
      expect(ok.headers['cache-control']).toBe('private, max-age=3600, immutable');
      // Precomputed answers too.
      const answer = Object.values(dashboard.interactive!.precomputed![0]!.answers)[0]!.file;
      const answerUrl = `/d/${slug}/snapshots/${snapshotId}/${answer}`;
      expect((await get(answerUrl)).status).toBe(401);
      expect((await get(answerUrl, { cookie: `sheaf_session=${stranger.token}` })).status).toBe(404);
      expect((await get(answerUrl, { cookie: `sheaf_session=${member.token}` })).status).toBe(200);
    },
    SLOW
  );
});

describe('the publish panel’s preview', () => {
  it(
    'lists exactly the tables and columns publishing writes, for editors only',
    async () => {
      const { ann, nb, slug } = await board('public');
      const exposure = await publicationExposure(t.db, deps(), ann.id, nb.id);
      const { snapshotId } = await openDashboard(t.db, server.dataDir, slug, null);
      const { dashboard } = await dashboardOf(nb.id, snapshotId);
      const published = dashboard.interactive!.tables;
      expect(exposure.tables.map((tb) => [tb.name, tb.columns, tb.rows])).toEqual(
        published.map((tb) => [tb.name, tb.columns.map((c) => c.name), tb.rows])
      );
      expect(exposure.inputs).toEqual(['region']);
      expect(exposure.serverQueries).toEqual([]);
      const viewer = await person(t.db, 'Viewer');
      await join(t.db, ann, viewer, 'viewer');
      await expect(publicationExposure(t.db, deps(), viewer.id, nb.id)).rejects.toThrow();
    },
    SLOW
  );
});

describe('the workbench’s base-table ops', () => {
  it(
    'writes only into the folder it is given, and says when a query does not bind over what was written',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-export-'));
      const bench = await openWorkbench([]);
      try {
        await bench.runInto('t', "select 1 as a, 'x' as b, 2.5::decimal(9,2) as c");
        // The author's SQL still cannot write anywhere.
        await expect(bench.runInto('w', `select * from (copy t to '${dir}/evil.parquet')`)).rejects.toThrow();
        // A file name is a bare table-<n>.parquet: nothing leaves the folder.
        await expect(bench.exportParquet('t', ['a'], dir, '../table-0.parquet')).rejects.toThrow();
        const out = await bench.exportParquet('t', ['a', 'c'], dir, 'table-0.parquet');
        expect(out).toEqual({
          rows: 1,
          columns: [
            { name: 'a', type: 'INTEGER' },
            { name: 'c', type: 'DECIMAL(9,2)' }
          ]
        });
        const file = [{ tableName: 't', path: path.join(dir, 'table-0.parquet') }];
        expect(
          await bench.checkReplay(file, [{ name: 'q', sql: 'select a + c from t where a = $1', params: [1] }])
        ).toBeNull();
        expect(await bench.checkReplay(file, [{ name: 'q', sql: 'select b from t', params: [] }])).toMatch(
          /"b"/
        );
      } finally {
        bench.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
    SLOW
  );
});

describe('a card over a database connection', () => {
  let sample: SampleDb;
  beforeAll(async () => {
    sample = await sampleDb(400);
  }, 120_000);
  afterAll(() => sample?.cleanup());

  it(
    're-runs the connection cell on the server and the local cell after it in the browser',
    async () => {
      const ann = await person(t.db, 'Connected Ann');
      const conn = await connectWarehouse(t.db, server.box, ann, sample);
      const nb = await createNotebook(t.db, ann.id, ann.workspaceId, { title: 'Connected' }, [
        input('region', {
          widget: 'dropdown',
          options: { from: 'list', values: ['north', 'south'] },
          value: 'north'
        }),
        {
          kind: 'sql',
          name: 'pg_orders',
          source: `select region, count(*)::int as n from ${sample.schema}.orders where region = {{region}} group by 1`,
          config: { engine: conn.id }
        },
        { kind: 'sql', name: 'twice', source: 'select region, n * 2 as twice from pg_orders' }
      ]);
      await editStoredDoc(t.db, nb.id, (doc) => {
        for (const c of orderedCells(doc))
          if (c.kind === 'input') addToLayout(doc, c, 'input');
          else if (c.name === 'twice') addToLayout(doc, c, 'table');
      });
      const { slug } = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' });
      const { snapshotId } = await openDashboard(t.db, server.dataDir, slug, null);
      const live = (await dashboardOf(nb.id, snapshotId)).dashboard.interactive!;
      // No SQL of the connection cell, no connection id: the server re-runs it by name.
      expect(live.cells).toEqual([
        { runsOn: 'server', name: 'pg_orders' },
        { runsOn: 'browser', name: 'twice', sql: 'select region, n * 2 as twice from pg_orders' }
      ]);
      expect(live.tables).toEqual([]);
      expect(live.frozen).toEqual([]);
      expect(JSON.stringify(live)).not.toContain(conn.id);
      const exposure = await publicationExposure(t.db, deps(), ann.id, nb.id);
      expect(exposure.serverQueries).toEqual([{ name: 'pg_orders', inputs: ['region'] }]);
      expect(exposure.tables).toEqual([]);
    },
    SLOW
  );
});

describe('writing base tables', () => {
  it(
    'writes all columns when the re-runs do not bind over the pruned ones, and leaves out a table none reads',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-base-'));
      const bench = await openWorkbench([]);
      try {
        await bench.runInto('t', "select 1 as a, 'x' as b, 3 as c");
        await bench.runInto('region', "select 'r' as r");
        const cols = (...names: string[]) => names.map((name) => ({ name, type: 'INTEGER' }));
        // As if the pruner had missed `b`, and taken `region` (a column's name in the SQL) for a table.
        const plan = {
          inputs: [],
          fixed: {},
          cards: [],
          cells: [
            {
              cellId: 'q1',
              name: 'q',
              sql: 'select b, region from (select b, a as region from t)',
              runsOn: 'browser' as const
            }
          ],
          tables: [
            { name: 't', columns: cols('a'), allColumns: cols('a', 'b', 'c'), readers: ['q'] },
            { name: 'region', columns: cols('r'), allColumns: cols('r'), readers: ['q'] }
          ]
        };
        const tables = new Map((await bench.tableColumns()).map((tb) => [tb.name, tb.columns]));
        const written = await writeBaseTables(bench, { plan, tables }, dir, {});
        expect([...written.keys()]).toEqual(['t']);
        const t = written.get('t')!;
        expect('columns' in t && t.columns.map((c) => c.name)).toEqual(['a', 'b', 'c']);
        expect((await readdir(dir)).sort()).toEqual(['table-0.parquet']);
      } finally {
        bench.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
    SLOW
  );
});
