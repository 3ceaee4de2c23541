// Queries over an uploaded file fetch only the columns and row groups they need (HTTP range requests on the
// file's Parquet) while that is a small part of the file, and the file's whole DuckDB copy once a query needs more
// (src/lib/engine/parquet/read-choice.ts); what arrives is exactly the file's data either way: every value is
// checked against native DuckDB over the same Parquet.
import { mkdtemp } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { DuckDBInstance } from '@duckdb/node-api';
import { signUpWithNotebook, typeSql, shownNumber } from './helpers';

const ROWS = 600_000; // five row groups of DuckDB's 122,880 rows

/** A wide, sorted table with every type Sheaf reads in pieces, and some it must not lose precision on. */
async function makeWideParquet(): Promise<{ file: string; native: <T>(sql: string) => Promise<T[]> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-wide-'));
  const file = path.join(dir, 'wide.parquet');
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(`copy (
      select i::bigint as id,
             date '2000-01-01' + (i // 1000)::int as day,
             timestamp '2020-01-01 00:00:00.000001' + to_microseconds(i * 1000003) as ts,
             (i * 7 % 100000 / 100)::decimal(18,2) as amount,
             (i::hugeint * 1000000000007 + 0.001)::decimal(30,3) as big,
             i / 7.0 as price,
             (i % 97)::int as qty,
             (i % 100 - 50)::tinyint as small,
             i % 3 = 0 as flag,
             case when i % 5 = 0 then null else 'naïve ' || (i % 1000)::varchar || ' ✓' end as name,
             repeat(md5(i::varchar), 4) as note
        from range(${ROWS}) t(i)
    ) to '${file}' (format parquet)`);
  return {
    file,
    native: async <T>(sql: string) => {
      await conn.run(`create or replace view wide as select * from read_parquet('${file}')`);
      return (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];
    }
  };
}

/**
 * Bytes of the file's Parquet the page fetches while `action` runs, and how many times it downloaded the whole copy
 * (downloads finished: the first query on a file starts one while it is planned, and cancels it for pieces).
 */
async function fetched(page: Page, action: () => Promise<void>) {
  let bytes = 0;
  let whole = 0;
  const onFinished = (r: import('@playwright/test').Request) => {
    if (/\/api\/files\/\w+\/data\.duckdb$/.test(r.url()) && r.method() === 'GET') whole++;
  };
  const onResponse = async (r: import('@playwright/test').Response) => {
    if (!/\/api\/files\/\w+\/data\.parquet$/.test(r.url()) || r.request().method() !== 'GET') return;
    expect(r.status()).toBe(206);
    bytes += Number(await r.headerValue('content-length'));
  };
  page.on('requestfinished', onFinished);
  page.on('response', onResponse);
  await action();
  page.off('requestfinished', onFinished);
  page.off('response', onResponse);
  return { bytes, whole };
}

async function run(page: Page, sql: string, rows: number) {
  await typeSql(page, 0, sql);
  await page.getByRole('button', { name: 'Run cell' }).first().click();
  await expect(page.getByTestId('run-summary').first()).toContainText(
    `${rows.toLocaleString('en-US')} row${rows === 1 ? '' : 's'}`,
    { timeout: 60_000 }
  );
}

test('a query fetches only the columns and row groups it reads, or the whole copy once it needs most of the file; every value arrives exact', async ({
  page
}) => {
  test.setTimeout(180_000);
  const { file, native } = await makeWideParquet();
  await signUpWithNotebook(page, 'Rhea Ranges');
  await page.getByLabel('Upload files').setInputFiles(file);
  await expect(page.getByTestId('file')).toContainText(`${ROWS.toLocaleString('en-US')} rows`, {
    timeout: 60_000
  });
  // The stored Parquet is the server's own conversion; its size is what a whole download would cost. (Its
  // compression differs from the upload's and with how threads cut row groups: a third of the upload was once
  // 3% too much, so only the order of magnitude is checked.)
  const fileId = await page.getByTestId('file').getAttribute('data-file-id');
  const head = await page.request.head(new URL(`/api/files/${fileId}/data.parquet`, page.url()).href);
  const total = Number(head.headers()['content-length']);
  expect(total).toBeGreaterThan(statSync(file).size / 5);

  // One small column over every row group: a small part of the file. As the first query on the file, it also
  // started downloading the whole copy while it was planned, and cancelled it (unless it had already arrived): the
  // first look below still fetches pieces, which it would not if the copy had been taken.
  const [sums] = await native<{ n: string; q: string }>(
    'select count(*)::varchar as n, sum(qty)::varchar as q from wide'
  );
  const one = await fetched(page, () =>
    run(page, 'select count(*)::varchar as n, sum(qty)::varchar as q from wide', 1)
  );
  await expect(page.getByTestId('result-row').first()).toContainText(sums!.q);
  expect(one.bytes).toBeGreaterThan(0);
  expect(one.bytes).toBeLessThan(total * 0.1);

  // A first look at the file: the first rows, from the first row group only.
  const [firstRow] = await native<{ note: string }>('select note from wide limit 1');
  const peek = await fetched(page, () => run(page, 'select * from wide limit 10', 10));
  await expect(page.getByTestId('result-row').first()).toContainText(firstRow!.note);
  expect(peek.whole).toBe(0);
  expect(peek.bytes).toBeGreaterThan(0);
  expect(peek.bytes).toBeLessThan(total * 0.3);

  // A filter on the sorted id: only the row group holding those ids is read for the new column.
  const sql = 'select sum(amount)::varchar as s, count(*) as n from wide where id between 130000 and 131000';
  const [want] = await native<{ s: string }>(sql);
  const pruned = await fetched(page, () => run(page, sql, 1));
  await expect(page.getByTestId('result-row').first()).toContainText(want!.s);
  const amountWhole = await fetched(page, () =>
    run(page, 'select sum(amount)::varchar as s, max(id) from wide', 1)
  );
  expect(pruned.whole + amountWhole.whole).toBe(0);
  expect(pruned.bytes).toBeGreaterThan(0);
  // Three more row groups of amount and id (the first came with the peek) cost about three times the one.
  expect(amountWhole.bytes).toBeGreaterThan(pruned.bytes * 2);

  // Every type, every column, rows from the first and last row groups (each read in pieces): the same text as
  // native DuckDB.
  const columns =
    'id, day::varchar as day, ts::varchar as ts, amount::varchar as amount, big::varchar as big, ' +
    'price::varchar as price, qty, small, flag::varchar as flag, name, note';
  const rows = page.getByTestId('result-row');
  for (const where of ['id < 3', 'id >= 599998']) {
    const all = `select ${columns} from wide where ${where} order by id`;
    const expected = await native<Record<string, string | number | null>>(all);
    const got = await fetched(page, () => run(page, all, expected.length));
    expect(got.whole).toBe(0);
    for (const [i, row] of expected.entries()) {
      for (const [k, v] of Object.entries(row)) {
        // Ids are labels, shown without thousands separators.
        if (v !== null) await expect(rows.nth(i)).toContainText(k === 'id' ? String(v) : shownNumber(v));
      }
    }
  }
  // Types are the file's own.
  const [types] = await native<Record<string, string>>(
    `select typeof(day) as d, typeof(ts) as t, typeof(amount) as a, typeof(big) as b, typeof(small) as s from wide limit 1`
  );
  await run(
    page,
    'select typeof(day) as d, typeof(ts) as t, typeof(amount) as a, typeof(big) as b, typeof(small) as s from wide limit 1',
    1
  );
  for (const t of Object.values(types!)) await expect(rows.first()).toContainText(t);

  // Most of what is left (eight columns of three row groups, the wide text among them): decoding it would cost
  // more than the file's whole DuckDB copy, so that is downloaded once, in one request, and nothing of the Parquet.
  const most =
    'select count(distinct note)::varchar as notes, max(ts)::varchar as ts, max(big)::varchar as big, ' +
    'max(price)::varchar as price, count(name)::varchar as names, max(day)::varchar as day, ' +
    'sum(small)::varchar as small, (count(*) filter (where flag))::varchar as flags from wide';
  const [mostWant] = await native<Record<string, string>>(most);
  const copy = await fetched(page, () => run(page, most, 1));
  expect(copy.whole).toBe(1);
  expect(copy.bytes).toBe(0);
  for (const v of Object.values(mostWant!)) await expect(rows.first()).toContainText(String(v));
  // From then on every query reads the copy: nothing more is fetched.
  const [again] = await native<{ q: string }>(
    'select sum(qty)::varchar as q from wide where id between 250000 and 260000'
  );
  const after = await fetched(page, () =>
    run(page, 'select sum(qty)::varchar as q from wide where id between 250000 and 260000', 1)
  );
  expect(after).toEqual({ bytes: 0, whole: 0 });
  await expect(rows.first()).toContainText(again!.q);
});

test('a file with columns that cannot be read in pieces is read whole, with the same answers', async ({
  page
}) => {
  test.setTimeout(120_000);
  const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-nested-'));
  const file = path.join(dir, 'nested.parquet');
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(`copy (
      select i as id, make_time(i % 24, 30, 15.25) as clock, {'a': i * 2, 'b': 'x' || i} as s, [i, i + 1] as l
        from range(1000) t(i)
    ) to '${file}' (format parquet)`);
  const sql = `select sum(s.a)::varchar as a, max(clock)::varchar as t, sum(l[2])::varchar as l2 from nested`;
  const [want] = (
    await conn.runAndReadAll(sql.replace('from nested', `from '${file}'`))
  ).getRowObjectsJson() as {
    a: string;
    t: string;
    l2: string;
  }[];
  await signUpWithNotebook(page, 'Nell Nested');
  await page.getByLabel('Upload files').setInputFiles(file);
  await expect(page.getByTestId('file')).toContainText('1,000 rows', { timeout: 60_000 });
  const got = await fetched(page, () => run(page, sql, 1));
  expect(got.whole).toBe(1);
  for (const v of [want!.a, want!.t, want!.l2])
    await expect(page.getByTestId('result-row').first()).toContainText(v);
  // Columns that can be read in pieces still can, from the same file.
  await run(page, 'select sum(id) as total from nested', 1);
  await expect(page.getByTestId('result-row').first()).toContainText('499,500');
});
