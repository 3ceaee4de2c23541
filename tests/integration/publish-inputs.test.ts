// Inputs on the server, with a real database, file store, native DuckDB and PostgreSQL connection: a published
// dashboard's queries bind the notebook's input values as parameters (local cells in the workbench child, connection
// cells on their database) and show what the same query with the literal value gives; a hostile value is only a
// value; an unknown reference fails with the compiler's message; forks keep the inputs and their values; the
// server's own runs of local cells (the demo seed) bind them too.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderedCells, type NewCell } from '../../cells/document';
import { addToLayout } from '../../cells/layout';
import { literal } from '../../cells/sql/quote';
import { readRun } from '../../cells/sql/run-record';
import { loadDoc } from '../../server/collab/doc-store';
import { secretBox } from '../../server/connectors/secret-box';
import { listFiles, parquetPath } from '../../server/files/files';
import { CellIdSchema, type NotebookId } from '../../server/ids';
import { forkNotebook } from '../../server/notebooks/fork';
import { runLocalCells } from '../../server/notebooks/local-results';
import { createNotebook } from '../../server/notebooks/notebooks';
import { forkDashboard } from '../../server/publish/fork-dashboard';
import { openDashboard } from '../../server/publish/open-dashboard';
import { publish, refreshAsEditor, updatePublication } from '../../server/publish/publications';
import { openWorkbench } from '../../server/publish/workbench';
import { resultPath } from '../../server/results/results';
import { join, person } from './helpers/people';
import { connectWarehouse } from './helpers/warehouse';
import { sampleDb, type SampleDb } from './helpers/sample-db';
import { freshDb, type TestDb } from './helpers/test-db';
import { editStoredDoc } from './helpers/edit-stored-doc';
import { uploadCsv } from './helpers/upload';

const EVIL = "'; drop table orders; --";
const SALES = `region,amount\nnorth,10\nsouth,20\nnorth,5.5\neast,7\n"${EVIL}",1000\nwest,3\n`;

let t: TestDb;
let dataDir: string;
let sample: SampleDb;
const box = secretBox(randomBytes(32));
const deps = () => ({ dataDir, secretBox: () => box });

beforeAll(async () => {
  [sample, t] = await Promise.all([sampleDb(2_000), freshDb()]);
  dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-publish-inputs-'));
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
  await sample?.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

const editDoc = (notebookId: NotebookId, change: (doc: Y.Doc) => void) =>
  editStoredDoc(t.db, notebookId, change);

const setInput = (notebookId: NotebookId, name: string, value: unknown) =>
  editDoc(notebookId, (doc) =>
    orderedCells(doc)
      .find((c) => c.name === name)!
      .config.set('value', value)
  );

const input = (name: string, config: Record<string, unknown>): NewCell => ({ kind: 'input', name, config });
const REGIONS = ['north', 'south', 'east', 'west', EVIL];

/** The same query with the value written in, on native DuckDB over the uploaded file. */
async function nativeDuckdb(owner: Awaited<ReturnType<typeof person>>, sql: (sales: string) => string) {
  const [file] = (await listFiles(t.db, owner.id, owner.workspaceId)).filter((f) => f.tableName === 'sales');
  const parquet = `read_parquet(${literal(parquetPath(dataDir, owner.workspaceId, file!.id))})`;
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql(parquet))).getRows().map((r) => r.map((v) => String(v)));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The same query with the value written in, on PostgreSQL itself. */
async function nativePostgres(sql: string) {
  return (await sample.admin.unsafe(sql)).map((r) => Object.values(r).map((v) => String(v)));
}

const LOCAL_SQL = (from: string, region: string) =>
  `select count(*)::varchar as n, coalesce(sum(amount), 0)::varchar as total from ${from} where region = ${region}`;
const PG_SQL = (orders: string, region: string) =>
  `select count(*)::text as n, coalesce(sum(amount), 0)::text as total from ${orders} where region = ${region}`;

async function regionBoard() {
  const ann = await person(t.db, 'Input Ann');
  await uploadCsv(t.db, dataDir, ann, 'sales.csv', SALES);
  const conn = await connectWarehouse(t.db, box, ann, sample);
  const nb = await createNotebook(t.db, ann.id, ann.workspaceId, { title: 'Regions' }, [
    input('region', { widget: 'dropdown', options: { from: 'list', values: REGIONS }, value: 'north' }),
    { kind: 'sql', name: 'local_total', source: LOCAL_SQL('sales', '{{region}}') },
    {
      kind: 'sql',
      name: 'pg_total',
      source: PG_SQL(`${sample.schema}.orders`, '{{region}}'),
      config: { engine: conn.id }
    },
    // Not on the dashboard: the input below offers its values, and binds them all while nothing is chosen.
    { kind: 'sql', name: 'all_regions', source: 'select distinct region from sales' },
    input('picked', {
      widget: 'multiselect',
      emptyMeansAll: true,
      options: { from: 'column', source: 'all_regions', column: 'region' }
    }),
    {
      kind: 'sql',
      name: 'picked_total',
      source: 'select sum(amount)::varchar as total from sales where list_contains({{picked}}, region)'
    },
    input('unused', { widget: 'text', value: 'not bound anywhere' }),
    { kind: 'text', source: 'Sales in **{{region}}**; note: {{unused}}; {{nobody}} stays as typed' }
  ]);
  await editDoc(nb.id, (doc) => {
    for (const c of orderedCells(doc))
      if (['local_total', 'pg_total', 'picked_total'].includes(c.name)) addToLayout(doc, c, 'table');
      else if (c.kind === 'text') addToLayout(doc, c, 'text');
  });
  return { ann, nb, conn };
}

type Page = Awaited<ReturnType<typeof openDashboard>>;
const textOf = (page: Page) => {
  const item = page.dashboard.items.find((i) => i.view === 'text');
  if (item?.view !== 'text') throw new Error('no text card');
  return item.html;
};
const rowsOf = (page: Page, name: string) => {
  const item = page.dashboard.items.find((i) => i.view === 'table' && i.name === name);
  if (item?.view !== 'table') throw new Error(`no table ${name}`);
  return item.rows;
};

describe('a dashboard over inputs', () => {
  it('binds the published value in local and connection cells, as the literal query answers; a new value shows once published', async () => {
    const { ann, nb } = await regionBoard();
    const { slug } = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' });
    const orders = `${sample.schema}.orders`;
    const expectRegion = async (page: Page, region: string) => {
      const local = await nativeDuckdb(ann, (sales) => LOCAL_SQL(sales, literal(region)));
      expect(rowsOf(page, 'local_total'), region).toEqual(local);
      expect(rowsOf(page, 'pg_total'), region).toEqual(await nativePostgres(PG_SQL(orders, literal(region))));
    };
    const first = await openDashboard(t.db, dataDir, slug, null);
    await expectRegion(first, 'north');
    expect(rowsOf(first, 'local_total')).toEqual([['2', '15.5']]); // not vacuous: the file's two north rows
    // Text cards show the published values where they say {{name}}; a name no input has stays as typed.
    expect(textOf(first)).toContain('Sales in <strong>north</strong>; note: not bound anywhere;');
    expect(textOf(first)).toContain('{{nobody}} stays as typed');
    expect(Number(rowsOf(first, 'pg_total')[0]![0])).toBe(500);
    // Nothing picked, "empty means all": every region the column offers, so every row.
    expect(rowsOf(first, 'picked_total')).toEqual(
      await nativeDuckdb(ann, (sales) => `select sum(amount)::varchar from ${sales}`)
    );

    // A co-editor picks south. The dashboard shows what was published until it is published again.
    await setInput(nb.id, 'region', 'south');
    await setInput(nb.id, 'picked', ['east', 'west']);
    expect((await refreshAsEditor(t.db, deps(), ann.id, slug)).refreshError).toBeNull();
    await expectRegion(await openDashboard(t.db, dataDir, slug, null), 'north');
    await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' });
    const second = await openDashboard(t.db, dataDir, slug, null);
    await expectRegion(second, 'south');
    expect(rowsOf(second, 'local_total')).toEqual([['1', '20.0']]);
    expect(textOf(second)).toContain('Sales in <strong>south</strong>');
    expect(rowsOf(second, 'picked_total')).toEqual([['10.0']]);
  });

  it('takes a hostile value as a value: the literal row matches, nothing is dropped', async () => {
    const { ann, nb } = await regionBoard();
    await setInput(nb.id, 'region', EVIL);
    await setInput(nb.id, 'unused', '<img src=x onerror=alert(1)> **not bold**');
    const { slug } = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' });
    const page = await openDashboard(t.db, dataDir, slug, null);
    // In text, a value is text: escaped, and not read as markdown either.
    expect(textOf(page)).toContain('note: &lt;img src=x onerror=alert(1)&gt; **not bold**;');
    expect(textOf(page)).not.toContain('<img');
    expect(rowsOf(page, 'local_total')).toEqual([['1', '1000.0']]); // the one row whose region is that text
    expect(rowsOf(page, 'pg_total')).toEqual([['0', '0']]);
    const [still] = await sample.admin.unsafe(`select count(*)::int as n from ${sample.schema}.orders`);
    expect(still!.n).toBe(2_000);
    expect((await refreshAsEditor(t.db, deps(), ann.id, slug)).refreshError).toBeNull();
  });

  it('fails on a reference to no input, naming the cell and the likely input; the last good snapshot stays', async () => {
    const { ann, nb } = await regionBoard();
    const { slug } = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' });
    await editDoc(nb.id, (doc) => {
      const cell = orderedCells(doc).find((c) => c.name === 'local_total')!;
      cell.source.delete(0, cell.source.length);
      cell.source.insert(0, LOCAL_SQL('sales', '{{regoin}}'));
    });
    await expect(publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' })).rejects.toThrow(
      'The query "local_total" failed: There is no input named regoin — did you mean region?'
    );
    // The connection cell's compile fails the same way, before reaching the database.
    await editDoc(nb.id, (doc) => {
      const cell = orderedCells(doc).find((c) => c.name === 'local_total')!;
      cell.source.delete(0, cell.source.length);
      cell.source.insert(0, LOCAL_SQL('sales', '{{region}}'));
      const pg = orderedCells(doc).find((c) => c.name === 'pg_total')!;
      pg.source.insert(pg.source.length, ' and {{nowhere}} is null');
    });
    await expect(publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' })).rejects.toThrow(
      'The query "pg_total" failed: There is no input named nowhere.'
    );
    expect(rowsOf(await openDashboard(t.db, dataDir, slug, null), 'local_total')).toEqual([['2', '15.5']]);
  });
});

describe('forks', () => {
  const inputsOf = (doc: Y.Doc) =>
    orderedCells(doc)
      .filter((c) => c.kind === 'input')
      .map((c) => [c.name, c.config.get('value') ?? null]);

  it('a forked notebook keeps its inputs and their current values', async () => {
    const { ann, nb } = await regionBoard();
    await setInput(nb.id, 'region', 'east');
    const bea = await person(t.db, 'Forking Bea');
    await join(t.db, ann, bea, 'viewer');
    const fork = await forkNotebook(t.db, dataDir, bea.id, nb.id, { workspaceId: bea.workspaceId });
    expect(inputsOf(await loadDoc(t.db, fork.id))).toEqual([
      ['region', 'east'],
      ['picked', null],
      ['unused', 'not bound anywhere']
    ]);
  });

  it('a forked dashboard keeps the inputs its shown queries bind, with their published values', async () => {
    const { ann, nb } = await regionBoard();
    await setInput(nb.id, 'region', 'west');
    const { slug } = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public', showSql: false });
    await setInput(nb.id, 'region', 'south'); // after publishing: not in what a fork copies
    await updatePublication(t.db, ann.id, nb.id, { allowFork: true });
    const fay = await person(t.db, 'Forking Fay');
    const fork = await forkDashboard(t.db, dataDir, fay.id, slug, { workspaceId: fay.workspaceId });
    const doc = await loadDoc(t.db, fork.id);
    // The input's choices come from all_regions, so that query came along too; `unused` binds no query shown,
    // but the text card shows its value, so it comes along (the unnamed last cell is that text).
    expect(orderedCells(doc).map((c) => c.name)).toEqual([
      'region',
      'local_total',
      'pg_total',
      'all_regions',
      'picked',
      'picked_total',
      'unused',
      ''
    ]);
    expect(inputsOf(doc)).toEqual([
      ['region', 'west'],
      ['picked', null],
      ['unused', 'not bound anywhere']
    ]);
  });

  it('an input only a hidden database query binds stays out of a dashboard fork', async () => {
    const ann = await person(t.db, 'Hidden Ann');
    const conn = await connectWarehouse(t.db, box, ann, sample);
    const nb = await createNotebook(t.db, ann.id, ann.workspaceId, { title: 'Hidden' }, [
      input('secret_threshold', { widget: 'number', value: 250 }),
      {
        kind: 'sql',
        name: 'big',
        source: `select count(*)::int as n from ${sample.schema}.orders where amount > {{secret_threshold}}`,
        config: { engine: conn.id }
      }
    ]);
    await editDoc(nb.id, (doc) => addToLayout(doc, orderedCells(doc)[1]!, 'number'));
    const { slug } = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'members' });
    const [native] = await sample.admin.unsafe(
      `select count(*)::int as n from ${sample.schema}.orders where amount > 250`
    );
    const number = (await openDashboard(t.db, dataDir, slug, ann.id)).dashboard.items[0]!;
    expect(number.view === 'number' && number.value).toBe(Number(native!.n).toLocaleString('en-US'));
    const fork = await forkDashboard(t.db, dataDir, ann.id, slug, { workspaceId: ann.workspaceId });
    expect(orderedCells(await loadDoc(t.db, fork.id)).map((c) => c.name)).toEqual(['big']);
  });
});

describe('the server’s own runs of local cells', () => {
  it('the workbench binds values as a prepared statement’s, never as text', async () => {
    const bench = await openWorkbench([]);
    try {
      await bench.runInto('echo', 'select $1 as v, CAST($2 AS BIGINT) + 1 as n', [EVIL, 41]);
      const rows = (await bench.query('select v, n from echo')).toArray().map((r) => r.toJSON());
      expect(rows).toEqual([{ v: EVIL, n: 42n }]);
    } finally {
      bench.close();
    }
  });

  it('runLocalCells (the demo seed) binds the notebook’s inputs', async () => {
    const ann = await person(t.db, 'Seeded Ann');
    await uploadCsv(t.db, dataDir, ann, 'sales.csv', SALES);
    const nb = await createNotebook(t.db, ann.id, ann.workspaceId, { title: 'Seeded' }, [
      input('region', { widget: 'dropdown', options: { from: 'list', values: REGIONS }, value: 'north' }),
      { kind: 'sql', name: 'local_total', source: LOCAL_SQL('sales', '{{region}}') },
      { kind: 'sql', name: 'broken', source: 'select {{nothing}} as x' }
    ]);
    expect(
      await runLocalCells(t.db, dataDir, { userId: ann.id, userName: 'Ann', notebookId: nb.id })
    ).toEqual(['local_total']);
    const cell = orderedCells(await loadDoc(t.db, nb.id)).find((c) => c.name === 'local_total')!;
    const run = readRun(cell.run)!;
    const stored = await resultPath(t.db, dataDir, {
      userId: ann.id,
      notebookId: nb.id,
      cellId: CellIdSchema.parse(cell.id),
      runId: run.runId!
    });
    const table = tableFromIPC(await readFile(stored));
    expect(table.toArray().map((r) => [String(r.n), String(r.total)])).toEqual(
      await nativeDuckdb(ann, (sales) => LOCAL_SQL(sales, literal('north')))
    );
  });
});
