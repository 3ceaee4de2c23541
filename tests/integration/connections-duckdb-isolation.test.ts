// Queries on DuckDB/Parquet file connections run in a child process: SQL that crashes DuckDB or outgrows its
// memory fails that query with a readable message while this process (which hosts the server code) lives on and
// answers the next query; cancel and the time limit stop even a statement DuckDB's interrupt does not reach,
// leaving no process behind; big results stream batch by batch, as the in-process code gave them.
import { readFile } from 'node:fs/promises';
import { Table, tableToIPC, type RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dropIdleChildren } from '../../server/connectors/duckdb/query-child';
import { resultBatches } from '../../server/connectors/duckdb/result-batches';
import { openSandbox, serverFile } from '../../server/connectors/duckdb/sandbox';
import { nativeDuckdb } from '../../server/connectors/duckdb/slots';
import { QueryError } from '../../server/connectors/query-error';
import type { FileSettings } from '../../server/connectors/settings';
import { createConnection, type FileConnection } from '../../server/connectors/store';
import { collect, failure, gone, queryChildren } from './helpers/duckdb-queries';
import { startFilesServer, type FilesServer } from './helpers/files-server';
import { person } from './helpers/people';
import { shopFiles, type ShopFiles } from './helpers/shop-files';
import { ok, queryOverHttp } from './helpers/query-client';
import { freshDb, type TestDb } from './helpers/test-db';
import { newConnectionId, newWorkspaceId } from '../../server/ids';

/** json_structure recurses once per level: 100,000 levels overflow DuckDB's stack (SIGSEGV, ~1 s). */
const CRASH = "select json_structure(repeat('[', 100000) || repeat(']', 100000)) as s";
/** A 1.5 GB string (in-process: 4.6 GB resident after 27 s, then an error). */
const HOG = "select repeat('x', 1500000000) as s";
/** Binding this takes minutes and DuckDB's interrupt does not reach it. */
const DEAF = `select json_transform(repeat('[', 3000) || repeat(']', 3000), json_structure(repeat('[', 3000) || repeat(']', 3000))) as t`;
const SLOW = 'select count(*) from range(1000000000000)';
/** 2,000,000 rows of several column kinds: 40 batches. */
const BIG = `select range as i, 'row ' || range as s, range % 7 = 0 as b, (range / 8)::decimal(12, 3) as d,
  date '2024-01-01' + (range % 1000)::int as day from range(2000000)`;
const TOO_MUCH = /needed more memory than this connection allows \(or made the database engine crash\)/;

let t: TestDb;
let server: FilesServer;
let owner: Awaited<ReturnType<typeof person>>;
let shop: ShopFiles;

beforeAll(async () => {
  shop = await shopFiles('sheaf-duckdb-isolation-');
  t = await freshDb();
  server = await startFilesServer(t.db);
  owner = await person(t.db, 'Owner');
}, 60_000);

afterAll(async () => {
  await dropIdleChildren();
  await server?.close();
  await t?.cleanup();
  await shop?.done();
});

const file = (over: Partial<FileSettings> = {}): FileConnection => ({
  id: newConnectionId(),
  workspaceId: newWorkspaceId(),
  name: 'Shop',
  password: undefined,
  version: '1',
  kind: 'duckdb',
  settings: { path: 'shop.duckdb', statementTimeoutS: 60, rowCap: 1_000_000, maxConcurrent: 4, ...over }
});

/** The one query process running, once it has started (tests drop the spare first, so there is one). */
async function theQueryChild(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const [pid, ...more] = await queryChildren();
    expect(more).toEqual([]);
    if (pid) return pid;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no query process started');
}

/** CPU time a process has used, in clock ticks (user + system). */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

describe('file-connection queries under hostile SQL', () => {
  it('fails a query that crashes DuckDB with a readable message; the server answers the next one', async () => {
    const shop = await createConnection(t.db, server.box, {
      userId: owner.id,
      workspaceId: owner.workspaceId,
      input: { name: 'Shop', kind: 'duckdb', path: 'shop.duckdb', maxConcurrent: 1 }
    });
    const crashed = await queryOverHttp(server.port, owner.token, shop.id, CRASH);
    expect(crashed).toMatchObject({ kind: 'error', status: 400, error: { reason: 'sql' } });
    expect(crashed.kind === 'error' && crashed.error.message).toMatch(TOO_MUCH);
    // Its one slot came back: the same connection answers at once.
    const after = ok(
      await queryOverHttp(server.port, owner.token, shop.id, 'select count(*) as n from orders')
    );
    expect(after.table.get(0)!.toJSON()).toEqual({ n: 1000n });
    // And so did the native DuckDB slot: had it kept one, one of these would wait for ever.
    const all = await Promise.all(
      Array.from({ length: nativeDuckdb.max }, (_, k) => collect(file(), `select ${k} as k`))
    );
    expect(all.map((r) => Number(r.batches[0]!.getChild('k')!.get(0)))).toEqual([0, 1, 2, 3]);
  }, 60_000);

  it('fails a query that outgrows the memory cap quickly, without this process growing', async () => {
    const conn = file({ maxConcurrent: 1 });
    const before = process.memoryUsage.rss();
    let peak = before;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    try {
      const e = await failure(collect(conn, HOG));
      expect(e).toBeInstanceOf(QueryError);
      expect(e).toMatchObject({ reason: 'sql', message: expect.stringMatching(TOO_MUCH) });
    } finally {
      clearInterval(sample);
    }
    expect(peak - before).toBeLessThan(300 * 1024 * 1024);
    const next = await collect(conn, 'select 7 as n');
    expect(next.batches[0]!.getChild('n')!.get(0)).toBe(7);
  }, 60_000);

  it('stops a cancelled query by interrupting it, and one deaf to the interrupt by killing it, leaving no process', async () => {
    // Which way each query ended is what the server reports, not how long it took: timings on a busy machine lie.
    const warned: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((m: unknown) => void warned.push(String(m)));
    try {
      await dropIdleChildren();
      const cancel = new AbortController();
      const slow = failure(collect(file(), SLOW, { signal: cancel.signal }));
      const pid = await theQueryChild();
      await new Promise((r) => setTimeout(r, 500));
      cancel.abort('client');
      expect(await slow).toMatchObject({ reason: 'cancelled', message: 'The query was cancelled.' });
      expect(await gone(pid)).toBe(true);
      expect(warned.filter((m) => m.includes('ignored its interrupt'))).toEqual([]); // DuckDB's interrupt did it

      await dropIdleChildren();
      const deaf = failure(collect(file({ statementTimeoutS: 1 }), DEAF));
      const deafPid = await theQueryChild();
      expect(await deaf).toMatchObject({ reason: 'timeout', message: expect.stringMatching(/limit of 1 s/) });
      expect(await gone(deafPid)).toBe(true);
      expect(warned.filter((m) => m.includes('ignored its interrupt'))).toHaveLength(1); // the kill did it
    } finally {
      warn.mockRestore();
    }

    await dropIdleChildren();
    expect(await queryChildren()).toEqual([]);
  }, 60_000);
});

describe('file-connection queries with big results', () => {
  /** The result as the in-process code (sandbox and resultBatches, with no child) hands it on. */
  async function inProcess(settings: FileSettings, sql: string) {
    const sandbox = await openSandbox(settings, serverFile(settings));
    try {
      const batches: RecordBatch[] = [];
      const outcome = await resultBatches(await sandbox.connection.stream(sql), settings.rowCap, {
        batch: async (b) => void batches.push(b)
      });
      return { batches, outcome };
    } finally {
      sandbox.close();
    }
  }
  const bytes = (b: RecordBatch) => Buffer.from(tableToIPC(new Table(b), 'stream'));

  it('streams the same batches as in-process, cut at the row cap', async () => {
    for (const [rowCap, truncated] of [
      [1_234_567, true],
      [2_000_000, false]
    ] as const) {
      const conn = file({ rowCap });
      const got = await collect(conn, BIG);
      const want = await inProcess(conn.settings, BIG);
      expect(got.outcome).toEqual({ rows: rowCap, truncated });
      expect(want.outcome).toEqual(got.outcome);
      expect(got.batches.length).toBeGreaterThan(10);
      expect(got.batches.map((b) => b.numRows)).toEqual(want.batches.map((b) => b.numRows));
      for (const [k, b] of got.batches.entries())
        expect(bytes(b).equals(bytes(want.batches[k]!)), `batch ${k}`).toBe(true);
    }
  }, 120_000);

  it('makes the query process wait while the sink holds a batch', async () => {
    await dropIdleChildren();
    let idle = Number.NaN;
    const { outcome, batches } = await collect(file({ rowCap: 2_000_000 }), BIG, {
      onBatch: async () => {
        if (!Number.isNaN(idle)) return;
        const pid = await theQueryChild();
        const before = await cpuTicks(pid);
        await new Promise((r) => setTimeout(r, 1000));
        idle = (await cpuTicks(pid)) - before;
      }
    });
    expect(outcome).toEqual({ rows: 2_000_000, truncated: false });
    expect(batches.length).toBe(40);
    // Producing the other 39 batches takes seconds of CPU; waiting takes next to none (100 ticks a second).
    expect(idle).toBeLessThan(20);
  }, 60_000);
});
