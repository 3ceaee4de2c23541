// Stored results over real HTTP: editors store a run's Arrow result, members read it, nobody else does.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  Decimal,
  Dictionary,
  Int32,
  makeData,
  makeVector,
  Table,
  tableFromArrays,
  tableFromIPC,
  tableToIPC,
  TimestampMicrosecond,
  Utf8,
  vectorFromArray
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { deleteCell, orderedCells } from '../../cells/document';
import { appendUpdates, loadDoc } from '../../server/collab/doc-store';
import { createNotebook } from '../../server/notebooks/notebooks';
import { purgeOrphanResults } from '../../server/results/cleanup';
import { send, startFilesServer, type FilesServer } from './helpers/files-server';
import { join, person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
let server: FilesServer;
beforeAll(async () => {
  t = await freshDb();
  server = await startFilesServer(t.db);
});
afterAll(async () => {
  await server.close();
  await t.cleanup();
});

const arrow = (n: number) =>
  Buffer.from(
    tableToIPC(
      tableFromArrays({
        id: Int32Array.from({ length: n }, (_, i) => i),
        label: Array.from({ length: n }, (_, i) => `row ${i}`)
      }),
      'stream'
    )
  );

const put = (token: string, url: string, body: Buffer, headers: Record<string, string> = {}) =>
  send(server.port, {
    method: 'PUT',
    path: url,
    headers: {
      cookie: `sheaf_session=${token}`,
      'x-sheaf-upload': '1',
      'content-length': String(body.length),
      ...headers
    },
    body
  });
const get = (token: string, url: string) =>
  send(server.port, { method: 'GET', path: url, headers: { cookie: `sheaf_session=${token}` } });

describe('stored results', () => {
  it('an editor stores a run; members read that run; a new run replaces it', async () => {
    const owner = await person(t.db);
    const viewer = await person(t.db);
    const stranger = await person(t.db);
    await join(t.db, owner, viewer, 'viewer');
    const nb = await createNotebook(t.db, owner.id, owner.workspaceId, { title: 'R' });
    const base = `/api/results/${nb.id}/cell1`;

    expect((await put(owner.token, `${base}/run1`, arrow(1000))).status).toBe(201);
    const read = await get(viewer.token, `${base}/run1`);
    expect(read.status).toBe(200);
    const table = tableFromIPC(read.body);
    expect(table.numRows).toBe(1000);
    expect(table.getChild('label')?.get(999)).toBe('row 999');

    expect((await get(stranger.token, `${base}/run1`)).status).toBe(404);
    expect((await send(server.port, { method: 'GET', path: `${base}/run1` })).status).toBe(401);
    expect((await put(viewer.token, `${base}/run2`, arrow(5))).status).toBe(403);
    expect((await put(stranger.token, `${base}/run2`, arrow(5))).status).toBe(404);

    expect((await put(owner.token, `${base}/run2`, arrow(5))).status).toBe(201);
    expect((await get(viewer.token, `${base}/run1`)).status).toBe(404);
    expect(tableFromIPC((await get(viewer.token, `${base}/run2`)).body).numRows).toBe(5);
    const stored = await readdir(path.join(server.dataDir, 'results', nb.id));
    expect(stored).toEqual(['cell1-run2.arrow']);
  });

  it('refuses what is not Arrow, what is over 50 MB, and cross-site writes, keeping the stored run', async () => {
    const owner = await person(t.db);
    const nb = await createNotebook(t.db, owner.id, owner.workspaceId, { title: 'R' });
    const base = `/api/results/${nb.id}/c`;
    expect((await put(owner.token, `${base}/good`, arrow(3))).status).toBe(201);

    const garbage = await put(owner.token, `${base}/bad`, Buffer.from('not arrow at all'));
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body.toString()).error.message).toBe('This is not an Arrow IPC stream.');

    const huge = await put(owner.token, `${base}/huge`, Buffer.alloc(51 * 1024 ** 2));
    expect(huge.status).toBe(413);
    const chunkedHuge = await send(server.port, {
      method: 'PUT',
      path: `${base}/huge2`,
      headers: { cookie: `sheaf_session=${owner.token}`, 'x-sheaf-upload': '1' },
      body: Buffer.alloc(51 * 1024 ** 2),
      chunked: true
    });
    expect(chunkedHuge.status).toBe(413);

    expect((await put(owner.token, `${base}/x`, arrow(3), { 'x-sheaf-upload': '0' })).status).toBe(403);
    expect((await put(owner.token, `${base}/x`, arrow(3), { origin: 'https://evil.example' })).status).toBe(
      403
    );

    expect(tableFromIPC((await get(owner.token, `${base}/good`)).body).numRows).toBe(3);
    expect(await readdir(path.join(server.dataDir, 'results', nb.id))).toEqual(['c-good.arrow']);
  });
});

describe('Parquet downloads of stored results', () => {
  // Types the browser sends that a naive conversion would blur: a decimal wider than a double, microseconds,
  // dictionary-encoded text, a repeated column name, nulls.
  const awkward = () => {
    const table = new Table({
      amount: makeVector(
        makeData({
          type: new Decimal(2, 38, 128),
          length: 2,
          nullCount: 0,
          data: new Uint32Array([0xeb1f0ad3, 0xab54a98c, 0, 0, 150, 0, 0, 0])
        })
      ),
      at: makeVector(
        makeData({
          type: new TimestampMicrosecond(),
          length: 2,
          nullCount: 0,
          data: new BigInt64Array([1700000000123456n, 0n])
        })
      ),
      mood: vectorFromArray(['happy', null], new Dictionary(new Utf8(), new Int32()))
    });
    return Buffer.from(tableToIPC(table, 'stream'));
  };

  it('keeps every value exact, serves members only, and is made once per run', async () => {
    const owner = await person(t.db);
    const viewer = await person(t.db);
    const stranger = await person(t.db);
    await join(t.db, owner, viewer, 'viewer');
    const nb = await createNotebook(t.db, owner.id, owner.workspaceId, { title: 'P' });
    const base = `/api/results/${nb.id}/cellp`;
    expect((await put(owner.token, `${base}/run1`, awkward())).status).toBe(201);

    const res = await get(viewer.token, `${base}/run1?format=parquet&name=sales"2024`);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="sales_2024.parquet"');
    const file = path.join(tmpdir(), `sheaf-test-${Date.now()}.parquet`);
    await writeFile(file, res.body);
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (
      await conn.runAndReadAll(
        `select amount::varchar as amount, strftime("at", '%Y-%m-%d %H:%M:%S.%f') as "at", mood,
                typeof(amount) as t from read_parquet('${file}')`
      )
    ).getRowObjectsJson();
    conn.closeSync();
    expect(rows).toEqual([
      {
        amount: '123456789012345678.91',
        at: '2023-11-14 22:13:20.123456',
        mood: 'happy',
        t: 'DECIMAL(38,2)'
      },
      { amount: '1.50', at: '1970-01-01 00:00:00.000000', mood: null, t: 'DECIMAL(38,2)' }
    ]);

    expect((await get(stranger.token, `${base}/run1?format=parquet`)).status).toBe(404);
    const kept = await readdir(path.join(server.dataDir, 'results', nb.id));
    expect(kept.sort()).toEqual(['cellp-run1.arrow', 'cellp-run1.arrow.parquet']);
    // A new run replaces the result, and its Parquet copy goes with the old one.
    expect((await put(owner.token, `${base}/run2`, arrow(3))).status).toBe(201);
    expect(await readdir(path.join(server.dataDir, 'results', nb.id))).toEqual(['cellp-run2.arrow']);
    expect((await get(viewer.token, `${base}/run2?format=parquet`)).status).toBe(200);
  });
});

describe('housekeeping of stored results', () => {
  it('removes results of deleted cells and of purged notebooks, and keeps the rest', async () => {
    const owner = await person(t.db);
    const nb = await createNotebook(t.db, owner.id, owner.workspaceId, { title: 'GC' }, [
      { kind: 'sql', name: 'kept', source: 'select 1' },
      { kind: 'sql', name: 'gone', source: 'select 2' }
    ]);
    const doc = await loadDoc(t.db, nb.id);
    const [kept, gone] = orderedCells(doc);
    expect((await put(owner.token, `/api/results/${nb.id}/${kept!.id}/r1`, arrow(2))).status).toBe(201);
    expect((await put(owner.token, `/api/results/${nb.id}/${gone!.id}/r2`, arrow(2))).status).toBe(201);
    const before = Y.encodeStateVector(doc);
    deleteCell(doc, gone!.id);
    await appendUpdates(t.db, nb.id, [Y.encodeStateAsUpdate(doc, before)]);
    // A deletion made today may still be undone: nothing is swept yet.
    await purgeOrphanResults(t.db, server.dataDir);
    expect((await readdir(path.join(server.dataDir, 'results', nb.id))).length).toBe(2);
    await t.db.query("update doc_updates set created_at = now() - interval '2 days' where notebook_id = $1", [
      nb.id
    ]);

    const other = await createNotebook(t.db, owner.id, owner.workspaceId, { title: 'Purged' });
    expect((await put(owner.token, `/api/results/${other.id}/c/r3`, arrow(2))).status).toBe(201);
    await t.db.query('delete from notebooks where id = $1', [other.id]); // as purging the trash does

    const purged = await purgeOrphanResults(t.db, server.dataDir);
    expect(purged.cells).toBeGreaterThanOrEqual(1);
    expect(await readdir(path.join(server.dataDir, 'results', nb.id))).toEqual([`${kept!.id}-r1.arrow`]);
    expect((await readdir(path.join(server.dataDir, 'results'))).includes(other.id)).toBe(false);
    expect((await get(owner.token, `/api/results/${nb.id}/${kept!.id}/r1`)).status).toBe(200);
  });
});
