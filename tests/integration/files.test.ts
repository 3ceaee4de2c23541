import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import writeExcelFile from 'write-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles, renameFile, workspaceFilesDir } from '../../server/files/files';
import { join, person } from './helpers/people';
import { json, send, startFilesServer, upload, type FilesServer } from './helpers/files-server';
import { freshDb, type TestDb } from './helpers/test-db';
import type { WorkspaceId } from '../../server/ids';

const WEATHER = path.resolve('node_modules/vega-datasets/data/seattle-weather.csv');

let t: TestDb;
let server: FilesServer;
let small: FilesServer;
beforeAll(async () => {
  t = await freshDb();
  server = await startFilesServer(t.db);
  small = await startFilesServer(t.db, 1024 * 1024);
});
afterAll(async () => {
  await server.close();
  await small.close();
  await t.cleanup();
});

/** Computed independently of Sheaf: native DuckDB over the original CSV. */
async function expectedWeather() {
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  const r = await conn.runAndReadAll(
    `select count(*)::int as n, round(avg(temp_max), 6) as avg_max from read_csv_auto('${WEATHER}')`
  );
  return r.getRowObjectsJson()[0] as { n: number; avg_max: number };
}

async function storedNothing(dataDir: string, workspaceId: WorkspaceId) {
  const entries = await readdir(workspaceFilesDir(dataDir, workspaceId)).catch(() => []);
  return entries.length === 0;
}

describe('file uploads', () => {
  it('converts a real CSV to Parquet with its schema, and the numbers match the original', async () => {
    const u = await person(t.db);
    const res = await upload(
      server.port,
      u.token,
      u.workspaceId,
      'seattle-weather.csv',
      await readFile(WEATHER)
    );
    expect(res.status).toBe(201);
    const { file } = json(res);
    const expected = await expectedWeather();
    expect(file).toMatchObject({ tableName: 'seattle_weather', format: 'csv', rowCount: expected.n });
    expect(file.columns).toEqual([
      { name: 'date', type: 'DATE' },
      { name: 'precipitation', type: 'DOUBLE' },
      { name: 'temp_max', type: 'DOUBLE' },
      { name: 'temp_min', type: 'DOUBLE' },
      { name: 'wind', type: 'DOUBLE' },
      { name: 'weather', type: 'VARCHAR' }
    ]);

    const parquet = path.join(workspaceFilesDir(server.dataDir, u.workspaceId), file.id, 'data.parquet');
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const r = await conn.runAndReadAll(
      `select count(*)::int as n, round(avg(temp_max), 6) as avg_max from read_parquet('${parquet}')`
    );
    expect(r.getRowObjectsJson()[0]).toEqual(expected);
    expect((await listFiles(t.db, u.id, u.workspaceId)).map((f) => f.tableName)).toEqual(['seattle_weather']);
    const [stored] = await t.db.query<{ shape: string; first: string }>(
      `select jsonb_typeof(columns) as shape, columns -> 0 ->> 'name' as first from files where id = $1`,
      [file.id]
    );
    expect(stored).toEqual({ shape: 'array', first: 'date' });

    // Same name again: a second table, not an overwrite.
    const again = await upload(
      server.port,
      u.token,
      u.workspaceId,
      'seattle-weather.csv',
      await readFile(WEATHER)
    );
    expect(json(again).file.tableName).toBe('seattle_weather_2');
    await renameFile(t.db, u.id, json(again).file.id, { tableName: 'weather_copy' });
    const clash = await renameFile(t.db, u.id, json(again).file.id, { tableName: 'SEATTLE_WEATHER' }).catch(
      (e) => e
    );
    expect(clash.code).toBe('conflict');
  });

  it('reads JSON arrays, NDJSON and Parquet', async () => {
    const u = await person(t.db);
    const cars = await upload(
      server.port,
      u.token,
      u.workspaceId,
      'cars.json',
      await readFile('node_modules/vega-datasets/data/cars.json')
    );
    expect(cars.status).toBe(201);
    expect(json(cars).file.rowCount).toBe(
      JSON.parse(await readFile('node_modules/vega-datasets/data/cars.json', 'utf8')).length
    );
    const nd = await upload(
      server.port,
      u.token,
      u.workspaceId,
      'events.ndjson',
      Buffer.from('{"a":1,"b":"x"}\n{"a":2,"b":"y"}\n')
    );
    expect(json(nd).file).toMatchObject({ rowCount: 2, tableName: 'events' });
    const first = json(cars).file;
    const parquet = await readFile(
      path.join(workspaceFilesDir(server.dataDir, u.workspaceId), first.id, 'data.parquet')
    );
    const pq = await upload(server.port, u.token, u.workspaceId, 'cars-copy.parquet', parquet);
    expect(json(pq).file).toMatchObject({
      rowCount: first.rowCount,
      format: 'parquet',
      tableName: 'cars_copy'
    });
  });

  it('reads an Excel workbook: the first sheet, exact numbers, dates, text that looks like numbers', async () => {
    const u = await person(t.db);
    // Written by another library (write-excel-file), as Excel would store it: dates are numbers with a date format.
    const workbook = await writeExcelFile([
      ['order', 'sku', 'placed', 'amount', 'paid', null],
      [
        1,
        { value: '00123', type: String },
        { value: new Date(Date.UTC(2024, 0, 31)), format: 'yyyy-mm-dd' },
        1234.56,
        true,
        'x'
      ],
      [
        2,
        { value: '00456', type: String },
        { value: new Date(Date.UTC(2024, 1, 29)), format: 'yyyy-mm-dd' },
        0.1,
        false,
        null
      ],
      [null, null, null, null, null, null],
      [
        3,
        { value: '07', type: String },
        { value: new Date(Date.UTC(2024, 2, 1)), format: 'yyyy-mm-dd' },
        88259496234518.56,
        true,
        null
      ]
    ]).toBuffer();
    const res = await upload(server.port, u.token, u.workspaceId, 'Orders 2024.xlsx', workbook);
    expect(res.status).toBe(201);
    const { file } = json(res);
    expect(file).toMatchObject({ tableName: 'orders_2024', format: 'xlsx', rowCount: 3 });
    expect(file.columns).toEqual([
      { name: 'order', type: 'BIGINT' },
      { name: 'sku', type: 'VARCHAR' },
      { name: 'placed', type: 'DATE' },
      { name: 'amount', type: 'DOUBLE' },
      { name: 'paid', type: 'BOOLEAN' },
      { name: 'column_6', type: 'VARCHAR' }
    ]);
    const parquet = path.join(workspaceFilesDir(server.dataDir, u.workspaceId), file.id, 'data.parquet');
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = await conn.runAndReadAll(
      `select sku, placed::varchar as placed, amount::varchar as amount, paid from read_parquet('${parquet}') order by "order"`
    );
    expect(rows.getRowObjectsJson()).toEqual([
      { sku: '00123', placed: '2024-01-31', amount: '1234.56', paid: true },
      { sku: '00456', placed: '2024-02-29', amount: '0.1', paid: false },
      { sku: '07', placed: '2024-03-01', amount: '88259496234518.56', paid: true }
    ]);
    // Only the Parquet (and the browser's copy) are kept; the intermediate CSV is gone.
    expect((await readdir(path.dirname(parquet))).filter((f) => f.endsWith('.csv'))).toEqual([]);
  });

  const bad: [string, string, Buffer, RegExp][] = [
    [
      'a ragged CSV',
      'ragged.csv',
      Buffer.from('a,b,c\n1,2,3\n4,5\n6,7,8\n'),
      /^Line 3: Expected Number of Columns: 3 Found: 2/
    ],
    [
      'a truncated CSV (open quote)',
      'cut.csv',
      Buffer.from('a,b\n1,"x"\n2,y\n3,"never closed\n'),
      /^Line 4: a quoted value starts here and is never closed\.$/
    ],
    [
      'a binary file named .csv',
      'photo.csv',
      Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n\0\0\0'), Buffer.alloc(200, 7)]),
      /binary data/
    ],
    ['an empty file', 'empty.csv', Buffer.alloc(0), /^The file is empty\.$/],
    ['a header without rows', 'header.csv', Buffer.from('a,b,c\n'), /no rows/],
    ['broken JSON', 'broken.json', Buffer.from('[{"a": 1}, {"a": '), /not valid JSON/],
    [
      'a fake Parquet file',
      'fake.parquet',
      Buffer.from('definitely not parquet'),
      /not a readable Parquet file/
    ],
    [
      'a damaged workbook',
      'broken.xlsx',
      Buffer.from('PK\x03\x04 not really a zip'),
      /not an Excel workbook \(\.xlsx\) that can be read/
    ],
    [
      'an unsupported format',
      'budget.xls',
      Buffer.from('\xd0\xcf\x11\xe0'),
      /CSV, TSV, JSON .*Parquet and Excel/
    ]
  ];
  for (const [what, name, body, message] of bad) {
    it(`refuses ${what} with a clear message and stores nothing`, async () => {
      const u = await person(t.db);
      const res = await upload(server.port, u.token, u.workspaceId, name, body);
      expect(res.status).toBe(400);
      expect(json(res).error.message).toMatch(message);
      expect(await listFiles(t.db, u.id, u.workspaceId)).toEqual([]);
      expect(await storedNothing(server.dataDir, u.workspaceId)).toBe(true);
    });
  }

  it('refuses files over the limit, declared or streamed, and stays up', async () => {
    const u = await person(t.db);
    const big = Buffer.from('n\n' + '12345\n'.repeat(400_000)); // ~2.4 MB against a 1 MB limit
    const declared = await upload(small.port, u.token, u.workspaceId, 'big.csv', big);
    expect(declared.status).toBe(413);
    expect(json(declared).error.message).toBe(
      'This file is larger than the upload limit of 1 MB. Nothing was stored.'
    );
    const streamed = await upload(small.port, u.token, u.workspaceId, 'big.csv', big, true);
    expect(streamed.status).toBe(413);
    expect(await storedNothing(small.dataDir, u.workspaceId)).toBe(true);
    const fine = await upload(small.port, u.token, u.workspaceId, 'fine.csv', Buffer.from('n\n1\n2\n'), true);
    expect(fine.status).toBe(201);
  });

  it('lets only editors of the workspace upload, from our own origin', async () => {
    const owner = await person(t.db);
    const viewer = await person(t.db);
    const stranger = await person(t.db);
    await join(t.db, owner, viewer, 'viewer');
    const body = Buffer.from('a\n1\n');
    expect((await upload(server.port, viewer.token, owner.workspaceId, 'x.csv', body)).status).toBe(403);
    expect((await upload(server.port, stranger.token, owner.workspaceId, 'x.csv', body)).status).toBe(404);
    expect((await upload(server.port, 'a'.repeat(32), owner.workspaceId, 'x.csv', body)).status).toBe(401);
    const noHeader = await send(server.port, {
      method: 'POST',
      path: `/api/upload?workspace=${owner.workspaceId}&name=x.csv`,
      headers: { cookie: `sheaf_session=${owner.token}` },
      body
    });
    expect(noHeader.status).toBe(403);
    const crossSite = await send(server.port, {
      method: 'POST',
      path: `/api/upload?workspace=${owner.workspaceId}&name=x.csv`,
      headers: {
        cookie: `sheaf_session=${owner.token}`,
        'x-sheaf-upload': '1',
        origin: 'https://evil.example',
        host: 'sheaf.test'
      },
      body
    });
    expect(crossSite.status).toBe(403);
    expect(await listFiles(t.db, owner.id, owner.workspaceId)).toEqual([]);
  });
});

describe('reading stored Parquet', () => {
  it('serves byte ranges to members and nothing to anyone else', async () => {
    const owner = await person(t.db);
    const viewer = await person(t.db);
    const stranger = await person(t.db);
    await join(t.db, owner, viewer, 'viewer');
    const { file } = json(
      await upload(server.port, owner.token, owner.workspaceId, 'w.csv', await readFile(WEATHER))
    );
    const url = `/api/files/${file.id}/data.parquet`;
    const as = (token: string, headers: Record<string, string> = {}) => ({
      cookie: `sheaf_session=${token}`,
      ...headers
    });

    const head = await send(server.port, { method: 'HEAD', path: url, headers: as(viewer.token) });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(file.parquetBytes);
    expect(head.headers['accept-ranges']).toBe('bytes');

    const first = await send(server.port, {
      method: 'GET',
      path: url,
      headers: as(viewer.token, { range: 'bytes=0-3' })
    });
    expect(first.status).toBe(206);
    expect(first.body.toString()).toBe('PAR1');
    expect(first.headers['content-range']).toBe(`bytes 0-3/${file.parquetBytes}`);
    const footer = await send(server.port, {
      method: 'GET',
      path: url,
      headers: as(viewer.token, { range: 'bytes=-4' })
    });
    expect(footer.body.toString()).toBe('PAR1');
    const whole = await send(server.port, { method: 'GET', path: url, headers: as(owner.token) });
    expect(whole.body.length).toBe(file.parquetBytes);
    const beyond = await send(server.port, {
      method: 'GET',
      path: url,
      headers: as(owner.token, { range: `bytes=${file.parquetBytes + 10}-` })
    });
    expect(beyond.status).toBe(416);

    expect((await send(server.port, { method: 'GET', path: url, headers: as(stranger.token) })).status).toBe(
      404
    );
    expect((await send(server.port, { method: 'GET', path: url })).status).toBe(401);
    expect(
      (
        await send(server.port, {
          method: 'GET',
          path: `/api/files/${'b'.repeat(16)}/data.parquet`,
          headers: as(owner.token)
        })
      ).status
    ).toBe(404);
  });
});

describe('downloads cut short', () => {
  it('close the file: no descriptor is left open when a browser cancels a download', async () => {
    // Browsers cancel the copy's download when a query turns out to be read in pieces. The file must be far larger
    // than the socket's buffers, or it is all sent before the cancel arrives.
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const source = path.join(tmpdir(), `big-${process.pid}.parquet`);
    await conn.run(
      `copy (select md5(i::varchar) || md5((i + 1)::varchar) as a, random() as b from range(1500000) t(i))
         to '${source}' (format parquet)`
    );
    conn.closeSync();
    const owner = await person(t.db);
    const body = await readFile(source);
    await rm(source, { force: true });
    const { file } = json(await upload(server.port, owner.token, owner.workspaceId, 'big.parquet', body));
    expect(file.parquetBytes).toBeGreaterThan(30 * 1024 ** 2);
    const cookie = `sheaf_session=${owner.token}`;
    const cutShort = (kind: string) =>
      new Promise<void>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: server.port,
            path: `/api/files/${file.id}/data.${kind}`,
            headers: { cookie }
          },
          (res) => {
            expect(res.statusCode).toBe(200);
            res.once('data', () => {
              req.destroy();
              resolve();
            });
          }
        );
        req.on('error', (e) => ('code' in e && e.code === 'ECONNRESET' ? undefined : reject(e)));
        req.end();
      });
    const openFiles = async () =>
      (await readdir('/proc/self/fd').catch(() => [])).length ||
      expect.fail('this test counts open descriptors in /proc (Linux)');
    await cutShort('duckdb'); // the copy is built on first read; the database pool opens what it needs
    await new Promise((r) => setTimeout(r, 200));
    const before = await openFiles();
    for (let i = 0; i < 10; i++) {
      await cutShort('duckdb');
      await cutShort('parquet');
    }
    await new Promise((r) => setTimeout(r, 300));
    expect((await openFiles()) - before).toBeLessThan(5);
  }, 120_000);
});

describe('the copy browsers query', () => {
  it('is a DuckDB database with the same rows, rebuilt on first read when missing, for members only', async () => {
    const owner = await person(t.db);
    const stranger = await person(t.db);
    const { file } = json(
      await upload(server.port, owner.token, owner.workspaceId, 'w.csv', await readFile(WEATHER))
    );
    const dir = path.join(workspaceFilesDir(server.dataDir, owner.workspaceId), file.id);
    const url = `/api/files/${file.id}/data.duckdb`;
    const cookie = { cookie: `sheaf_session=${owner.token}` };
    const expected = await expectedWeather();

    const countIn = async (body: Buffer) => {
      const copy = path.join(tmpdir(), `copy-${process.pid}-${Math.random()}.duckdb`);
      await writeFile(copy, body);
      try {
        const conn = await (await DuckDBInstance.create(':memory:')).connect();
        await conn.run(`attach '${copy}' as f (read_only)`);
        const r = await conn.runAndReadAll(
          'select count(*)::int as n, round(avg(temp_max), 6) as avg_max from f.data'
        );
        conn.closeSync();
        return r.getRowObjectsJson()[0];
      } finally {
        await rm(copy, { force: true });
      }
    };

    const got = await send(server.port, { method: 'GET', path: url, headers: cookie });
    expect(got.status).toBe(200);
    expect(await countIn(got.body)).toEqual(expected);

    // A file stored before browser copies existed: the first read builds it.
    await rm(path.join(dir, 'data.duckdb'));
    const rebuilt = await send(server.port, { method: 'GET', path: url, headers: cookie });
    expect(rebuilt.status).toBe(200);
    expect(await countIn(rebuilt.body)).toEqual(expected);
    expect((await readdir(dir)).sort()).toEqual(['data.duckdb', 'data.parquet']);

    const ranged = await send(server.port, {
      method: 'GET',
      path: url,
      headers: { ...cookie, range: 'bytes=0-99' }
    });
    expect(ranged.status).toBe(206);
    expect(ranged.body.length).toBe(100);
    expect(
      (
        await send(server.port, {
          method: 'GET',
          path: url,
          headers: { cookie: `sheaf_session=${stranger.token}` }
        })
      ).status
    ).toBe(404);
  });
});
