// A dashboard refresh's DuckDB runs apart from the server: SQL that crashes DuckDB or outgrows its memory fails
// that refresh with a readable message while this process (which hosts the server code) lives on; a statement
// that ignores DuckDB's interrupt is still stopped; ordinary queries give what the in-process DuckDB gives.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromArrays, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { literal } from '../../cells/sql/quote';
import { orderedCells } from '../../cells/document';
import { addToLayout } from '../../cells/layout';
import { secretBox } from '../../server/connectors/secret-box';
import { nativeDuckdb } from '../../server/connectors/duckdb/slots';
import { createNotebook } from '../../server/notebooks/notebooks';
import { openDashboard } from '../../server/publish/open-dashboard';
import { publish } from '../../server/publish/publications';
import { openEngine } from '../../server/publish/workbench-engine';
import { openWorkbench } from '../../server/publish/workbench';
import { person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';
import { editStoredDoc } from './helpers/edit-stored-doc';

/** json_structure recurses once per level: 100,000 levels overflow DuckDB's stack (SIGSEGV, ~1 s). */
const CRASH = "select json_structure(repeat('[', 100000) || repeat(']', 100000)) as s";
/** A 1.5 GB string: DuckDB's allocation outside its buffer manager (in-process: 3 GB resident, 14 s). */
const HOG = "select repeat('x', 1500000000) as s";
/** Binding this takes minutes and DuckDB's interrupt does not reach it. */
const DEAF = `select json_transform(repeat('[', 3000) || repeat(']', 3000), json_structure(repeat('[', 3000) || repeat(']', 3000))) as t`;
const TOO_MUCH = /needed more memory than a dashboard refresh may use/;

let t: TestDb;
let dir: string;
let parquet: string;

beforeAll(async () => {
  t = await freshDb();
  dir = await mkdtemp(path.join(tmpdir(), 'sheaf-workbench-'));
  parquet = path.join(dir, 'sales.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(
    `copy (select range::int as id, ['north', 'south', 'east'][range % 3 + 1] as region,
                  (range * 1.25)::decimal(12, 2) as amount, date '2024-01-01' + range::int % 365 as day,
                  timestamp '2024-01-01 00:00:00.123456' + to_seconds(range) as at,
                  case when range % 7 = 0 then null else 'note ' || range end as note
           from range(50000)) to ${literal(parquet)} (format parquet)`
  );
  conn.closeSync();
  db.closeSync();
});
afterAll(async () => {
  await t?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

/** Workbench processes this process started and has not yet seen end. */
async function workbenchChildren(): Promise<number[]> {
  const out: number[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      if (ppid === process.pid && cmdline.includes('workbench-process')) out.push(Number(pid));
    } catch {
      // it ended while we looked
    }
  }
  return out;
}

async function noWorkbenchChildren() {
  for (let i = 0; i < 50 && (await workbenchChildren()).length; i++)
    await new Promise((r) => setTimeout(r, 100));
  expect(await workbenchChildren()).toEqual([]);
}

/** Rows as plain JSON, with types: what a card would read. */
const rowsOf = (table: Table) =>
  JSON.stringify(
    {
      fields: table.schema.fields.map(String),
      rows: table.toArray().map((r) => r.toJSON())
    },
    (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)
  );

describe('the workbench under hostile SQL', () => {
  it('fails a statement that crashes DuckDB with a readable message; this process lives and the next workbench works', async () => {
    const bench = await openWorkbench([]);
    try {
      await bench.runInto('before', 'select 1 as one');
      await expect(bench.runInto('boom', CRASH)).rejects.toThrow(TOO_MUCH);
      // The dead workbench keeps saying so, rather than hanging the refresh.
      await expect(bench.query('select * from before')).rejects.toThrow(TOO_MUCH);
    } finally {
      bench.close();
    }
    const next = await openWorkbench([]);
    try {
      await next.runInto('answer', 'select 42 as n');
      expect(Number((await next.query('select n from answer')).getChildAt(0)?.get(0))).toBe(42);
    } finally {
      next.close();
    }
    await noWorkbenchChildren();
  });

  it('fails a statement that outgrows the memory cap quickly, and the workbench goes on', async () => {
    const bench = await openWorkbench([]);
    try {
      await expect(bench.runInto('hog', HOG)).rejects.toThrow(TOO_MUCH);
      await bench.runInto('after', 'select 7 as n');
      expect(Number((await bench.query('select n from after')).getChildAt(0)?.get(0))).toBe(7);
    } finally {
      bench.close();
    }
  });

  it('stops a statement that runs too long, through DuckDB’s interrupt or, when that does not reach it, by ending the process', async () => {
    const bench = await openWorkbench([], 1);
    try {
      await expect(bench.runInto('slow', 'select count(*) from range(1000000000000)')).rejects.toThrow(
        /ran longer than 1 s and was stopped/
      );
      await bench.runInto('still', 'select 1 as one'); // interrupted, not killed
      await expect(bench.runInto('deaf', DEAF)).rejects.toThrow(/ran longer than 1 s and was stopped/);
    } finally {
      bench.close();
    }
    await noWorkbenchChildren();
  }, 60_000);

  it('fails a publish whose local cell crashes DuckDB, names the cell, and publishes the next dashboard', async () => {
    const ann = await person(t.db, 'Crashing Ann');
    const deps = { dataDir: dir, secretBox: () => secretBox(Buffer.alloc(32, 1)) };
    const notebook = async (source: string) => {
      const nb = await createNotebook(t.db, ann.id, ann.workspaceId, { title: 'Board' }, [
        { kind: 'sql', name: 'boom', source }
      ]);
      await editStoredDoc(t.db, nb.id, (doc) => addToLayout(doc, orderedCells(doc)[0]!, 'number'));
      return nb;
    };
    const bad = await notebook(CRASH);
    await expect(publish(t.db, deps, ann.id, bad.id, { visibility: 'public' })).rejects.toThrow(
      /^The query "boom" failed: The query needed more memory than a dashboard refresh may use/
    );
    const good = await notebook('select 42 as answer');
    const { slug } = await publish(t.db, deps, ann.id, good.id, { visibility: 'public' });
    const number = (await openDashboard(t.db, dir, slug, null)).dashboard.items[0];
    expect(number?.view === 'number' && number.value).toBe('42');
  }, 60_000);

  it('keeps the server’s paths out of its messages', async () => {
    const bench = await openWorkbench([{ tableName: 'sales', path: parquet }]);
    try {
      const elsewhere = path.join(dir, 'elsewhere', 'other.parquet');
      const error = await bench.runInto('peek', `select * from read_parquet(${literal(elsewhere)})`).then(
        () => null,
        (e: Error) => e.message
      );
      expect(error).toMatch(/Permission|disabled/);
      expect(error).not.toContain(dir);
    } finally {
      bench.close();
    }
  });

  it('gives every native DuckDB slot back, whether its workbench crashed, timed out or closed', async () => {
    const crashed = await openWorkbench([]);
    await crashed.runInto('boom', CRASH).catch(() => undefined);
    crashed.close();
    // Had any workbench above kept its slot, one of these would wait for ever.
    const all = await Promise.all(Array.from({ length: nativeDuckdb.max }, () => openWorkbench([])));
    try {
      for (const [i, bench] of all.entries()) await bench.runInto(`t${i}`, `select ${i} as n`);
    } finally {
      all.forEach((b) => b.close());
    }
    await noWorkbenchChildren();
  }, 60_000);
});

describe('the workbench with ordinary queries', () => {
  const CELLS = [
    ['by_region', 'select region, sum(amount) as total, count(*) as n from sales group by region'],
    ['recent', "select * from sales where day >= date '2024-12-01' order by id"],
    // A result may take a file's name, as in the notebook.
    ['sales', 'select id, note from recent where id % 2 = 0']
  ] as const;
  const QUERIES = [
    'select * from by_region order by region',
    'select * from recent order by id',
    'select count(*)::double as n, max(id) as top from sales',
    'select * from loaded order by id',
    'select * from by_region limit 0'
  ];
  const loaded = tableFromArrays({
    id: Int32Array.from([1, 2, 3]),
    big: BigInt64Array.from([1n, -2n, 9007199254740993n]),
    x: Float64Array.from([0.5, NaN, -1e300]),
    label: ['a', 'ß', '']
  });

  it('answers as the in-process DuckDB does, types and all', async () => {
    const files = [{ tableName: 'sales', path: parquet }];
    const child = await openWorkbench(files);
    const inProcess = await openEngine(files, 120);
    try {
      for (const bench of [child, inProcess]) {
        for (const [name, sql] of CELLS) await bench.runInto(name, sql);
        await bench.load('loaded', loaded);
      }
      for (const sql of QUERIES)
        expect(rowsOf(await child.query(sql)), sql).toBe(rowsOf(await inProcess.query(sql)));
      // And what the numbers should be, from DuckDB over the file directly.
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const expected = (
        await conn.runAndReadAll(
          `select region, sum(amount)::double, count(*)::double from read_parquet(${literal(parquet)}) group by region order by region`
        )
      ).getRowsJS();
      conn.closeSync();
      db.closeSync();
      const got = (await child.query('select * from by_region order by region')).toArray();
      expect(got.map((r) => [r.region, r.total, Number(r.n)])).toEqual(expected);
      const back = (await child.query('select * from loaded order by id')).toArray();
      expect(back.map((r) => [r.id, r.big, r.x, r.label])).toEqual([
        [1, 1n, 0.5, 'a'],
        [2, -2n, NaN, 'ß'],
        [3, 9007199254740993n, -1e300, '']
      ]);
    } finally {
      child.close();
      inProcess.close();
    }
  });

  it('hands back a million rows', async () => {
    const bench = await openWorkbench([]);
    try {
      await bench.runInto('many', "select range as i, 'row ' || range as s from range(1000005)");
      const all = await bench.query('select * from many order by i');
      expect(all.numRows).toBe(1_000_000); // the row cap
      const i = all.getChild('i')!;
      let sum = 0n;
      for (let r = 0; r < all.numRows; r++) sum += i.get(r) as bigint;
      expect(sum).toBe(499_999_500_000n);
      expect(all.getChild('s')!.get(999_999)).toBe('row 999999');
    } finally {
      bench.close();
    }
  });
});
