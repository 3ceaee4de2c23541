// The embedded default's demo: the account, the uploaded flights and a notebook whose query result is already
// stored (computed on the server with native DuckDB in the workbench child), so the first screen has a table and
// a chart. The stored rows are checked against native DuckDB over the original CSV.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderedCells } from '../../cells/document';
import { hashSource, readRun } from '../../cells/sql/run-record';
import { staleCells } from '../../cells/sql/staleness';
import { loadDoc } from '../../server/collab/doc-store';
import { DEMO, seedDemo } from '../../server/db/seed';
import { resultPath } from '../../server/results/results';
import { freshDb, type TestDb } from './helpers/test-db';
import { CellIdSchema, type NotebookId, type UserId } from '../../server/ids';

let t: TestDb;
let dataDir: string;
beforeAll(async () => {
  t = await freshDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-demo-'));
});
afterAll(async () => {
  await t?.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the demo notebook', () => {
  it('is seeded once, with its query run and stored: the rows native DuckDB computes over the CSV', async () => {
    expect(await seedDemo(t.db, dataDir)).toBe(true);
    expect(await seedDemo(t.db, dataDir)).toBe(false); // a second start leaves it alone

    const [user] = await t.db.query<{ id: UserId }>('select id from users where email = $1', [DEMO.email]);
    const [nb] = await t.db.query<{ id: NotebookId }>('select id from notebooks where created_by = $1', [
      user!.id
    ]);
    const doc = await loadDoc(t.db, nb!.id);
    const sql = orderedCells(doc).find((c) => c.kind === 'sql')!;
    const run = readRun(sql.run);
    expect(run).toMatchObject({
      status: 'done',
      stored: 'full',
      engine: 'local',
      by: DEMO.name,
      sourceHash: hashSource(sql.source.toString())
    });
    // Nothing is stale: the first screen does not ask anyone to run anything.
    expect(
      staleCells([{ id: sql.id, name: sql.name, sql: sql.source.toString(), run, engine: 'local' }]).size
    ).toBe(0);

    const stored = tableFromIPC(
      await readFile(
        await resultPath(t.db, dataDir, {
          userId: user!.id,
          notebookId: nb!.id,
          cellId: CellIdSchema.parse(sql.id),
          runId: run!.runId!
        })
      )
    );
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    await conn.run(
      `create view flights as select * from read_csv('${path.resolve('server/db/demo-flights.csv')}')`
    );
    const want = (await conn.runAndReadAll(sql.source.toString())).getRowsJson();
    conn.closeSync();
    expect(stored.numRows).toBe(want.length);
    expect(run!.rows).toBe(want.length);
    expect(run!.columns!.map((c) => c.name)).toEqual(['hour', 'avg_delay', 'flights']);
    const got = stored.toArray().map((r) => {
      const o = r.toJSON() as Record<string, unknown>;
      return [String(o.hour), Number(o.avg_delay).toFixed(6), String(o.flights)];
    });
    expect(got).toEqual(want.map(([h, a, f]) => [String(h), Number(a).toFixed(6), String(f)]));
    doc.destroy();
  });
});
