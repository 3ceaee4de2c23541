// Pieces or the whole copy: what a query still needs of a file's Parquet (read from its real footer, over HTTP
// range requests) weighed against the size of the file's real DuckDB copy. Small slices go in pieces; a query that
// needs whole columns of every row group reads the copy.
import { createReadStream, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBrowserCopy } from '../../server/files/browser-copy';
import { FileTable } from '../../src/lib/engine/parquet/file-table';
import { comparisonsOf } from '../../src/lib/engine/parquet/filters';
import { VALUE_COST_BYTES, WHOLE_AT_MOST, wholeIsCheaper } from '../../src/lib/engine/parquet/read-choice';

const ROWS = 600_000;
const COLUMNS = [
  { name: 'id', type: 'BIGINT' },
  { name: 'amount', type: 'DOUBLE' },
  { name: 'region', type: 'VARCHAR' },
  { name: 'day', type: 'DATE' },
  { name: 'customer', type: 'INTEGER' }
];

let dir: string;
let server: Server;
let table: FileTable;
let copyBytes: number;
let compressed: Map<string, number>; // column → compressed bytes over all row groups, from DuckDB's own reading
let groupRows: number[]; // rows of each row group, from DuckDB's own reading

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sheaf-read-choice-'));
  const parquet = path.join(dir, 'sales.parquet');
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(`copy (
      select i::bigint as id, round(random() * 1000, 2) as amount, 'region_' || (i % 20) as region,
             date '2020-01-01' + (i % 1500)::int as day, (random() * 200000)::int as customer
        from range(${ROWS}) t(i)) to '${parquet}' (format parquet, row_group_size 20000)`);
  const meta = await conn.runAndReadAll(
    `select path_in_schema as c, sum(total_compressed_size)::bigint as b
       from parquet_metadata('${parquet}') group by all`
  );
  compressed = new Map(meta.getRowObjectsJson().map((r) => [String(r.c), Number(r.b)]));
  const groups = await conn.runAndReadAll(
    `select distinct row_group_id as g, row_group_num_rows::bigint as n from parquet_metadata('${parquet}') order by g`
  );
  groupRows = groups.getRowObjectsJson().map((r) => Number(r.n));
  conn.closeSync();
  const copy = path.join(dir, 'sales.duckdb');
  await writeBrowserCopy(parquet, copy);
  copyBytes = statSync(copy).size;

  // Served as Sheaf serves files: HEAD, and GET with a byte range.
  server = createServer((req, res) => {
    const size = statSync(parquet).size;
    const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m?.[2] ? Number(m[2]) : size - 1;
    res.writeHead(m ? 206 : 200, {
      'content-length': end - start + 1,
      'accept-ranges': 'bytes',
      ...(m ? { 'content-range': `bytes ${start}-${end}/${size}` } : {})
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(parquet, { start, end }).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sales.parquet`;
  table = await FileTable.open('sales', url, COLUMNS);
}, 60_000);

afterAll(async () => {
  await new Promise<void>((r) => server?.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

/** Every row group (a scan with no filter). */
const everyGroup = (columns: string[]) =>
  table.groupsFor([{ columns: new Set(columns), comparisons: [], firstRowsOnly: false }]);

describe('pieces or the whole copy', () => {
  it('counts what a query still needs: its columns, in the row groups it reads', () => {
    expect(table.rowGroupCount).toBe(groupRows.length);
    expect(groupRows.length).toBeGreaterThan(20);
    const all = everyGroup(['amount']);
    expect(all).toHaveLength(groupRows.length);
    expect(table.cost(all, new Set(['amount']))).toEqual({ bytes: compressed.get('amount'), values: ROWS });
    const two = table.cost(all, new Set(['amount', 'day']));
    expect(two.bytes).toBe(compressed.get('amount')! + compressed.get('day')!);
    expect(two.values).toBe(2 * ROWS);
    expect(table.cost([0], new Set(['amount'])).values).toBe(groupRows[0]);
    // count(*) needs no column at all.
    expect(table.cost(all, new Set())).toEqual({ bytes: 0, values: 0 });
  });

  it('reads the first look and a filter that keeps one row group in pieces', () => {
    const peek = table.cost(table.firstGroups(10), new Set(COLUMNS.map((c) => c.name)));
    expect(peek.values).toBe(groupRows[0]! * COLUMNS.length);
    expect(wholeIsCheaper(peek, copyBytes)).toBe(false);

    // The filter as DuckDB pushes it into the scan, on the sorted id: one row group.
    const { comparisons } = comparisonsOf(
      `id>=${groupRows[0]! + 10} AND id<=${groupRows[0]! + 20}`,
      COLUMNS.map((c) => c.name)
    );
    const columns = new Set(['id', 'amount']);
    const groups = table.groupsFor([{ columns, comparisons, firstRowsOnly: false }]);
    expect(groups).toEqual([1]);
    expect(wholeIsCheaper(table.cost(groups, columns), copyBytes)).toBe(false);
  });

  it('reads the whole copy for a query over whole columns of every row group', () => {
    const sum = table.cost(everyGroup(['amount']), new Set(['amount']));
    // The copy holds every column, yet costs less than one column's Parquet bytes plus decoding its values.
    expect(copyBytes).toBeGreaterThan(sum.bytes);
    expect(copyBytes).toBeLessThan(sum.bytes + sum.values * VALUE_COST_BYTES);
    expect(wholeIsCheaper(sum, copyBytes)).toBe(true);
    const byRegion = new Set(['region', 'amount']);
    expect(wholeIsCheaper(table.cost(everyGroup([...byRegion]), byRegion), copyBytes)).toBe(true);
  });

  it('keeps to pieces when the copy is unknown or too big to hold, or nothing is left to load', () => {
    const sum = table.cost(everyGroup(['amount']), new Set(['amount']));
    expect(wholeIsCheaper(sum, null)).toBe(false);
    expect(wholeIsCheaper({ bytes: 10 * WHOLE_AT_MOST, values: 1e9 }, WHOLE_AT_MOST + 1)).toBe(false);
    expect(wholeIsCheaper({ bytes: 0, values: 0 }, 1)).toBe(false);
  });
});
