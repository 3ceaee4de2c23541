// Files nobody here prepared (vega-datasets: mixed-type fields, nulls, nested objects, non-ASCII text), uploaded
// and queried in the browser. Each answers count(*) and a group-by exactly as native DuckDB does over the
// original file, and none needs anything from outside Sheaf (the app's CSP blocks other hosts).
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect, test, type Page } from '@playwright/test';
import { signUp, typeSql } from './helpers';

const DATA = path.resolve('node_modules/vega-datasets/data');

type Case = { file: string; table: string; queries: { browser: string; native?: string }[] };

const CASES: Case[] = [
  {
    // "Title" mixes strings and numbers: native DuckDB types it JSON, which the browser's engine cannot read.
    file: 'movies.json',
    table: 'movies',
    queries: [
      { browser: 'select count(*) as n, count("Title") as titles from movies' },
      {
        browser:
          'select "Major Genre" as genre, count(*) as n, sum("Worldwide Gross") as gross from movies group by 1 order by 1 nulls first'
      },
      {
        // Non-ASCII titles, as text (native DuckDB's JSON text has the quotes of a JSON string).
        browser: `select "Title" as title from movies where regexp_matches("Title", '[^\\x00-\\x7F]') order by 1 limit 8`,
        native: `select trim("Title"::varchar, '"') as title from movies where regexp_matches("Title"::varchar, '[^\\x00-\\x7F]') order by 1 limit 8`
      },
      {
        // A title that is a number in the JSON is stored as its text.
        browser: `select "Title" as title, "Release Date" as released from movies where "Title" in ('1776', '2012') order by 1`,
        native: `select "Title"::varchar as title, "Release Date" as released from movies where "Title"::varchar in ('1776', '2012') order by 1`
      }
    ]
  },
  {
    file: 'penguins.json',
    table: 'penguins',
    queries: [
      { browser: 'select count(*) as n, count("Sex") as with_sex from penguins' },
      {
        browser:
          'select "Species" as species, "Sex" as sex, count(*) as n, round(avg("Body Mass (g)"), 1) as mass from penguins group by all order by 1, 2 nulls first'
      }
    ]
  },
  {
    file: 'countries.json',
    table: 'countries',
    queries: [
      { browser: 'select count(*) as n, count(_comment) as comments from countries' },
      {
        browser:
          'select year, count(*) as n, round(avg(life_expect), 3) as life from countries group by 1 order by 1 limit 12'
      }
    ]
  },
  {
    // One GeoJSON document: nested objects and lists (a file that cannot be read in pieces).
    file: 'earthquakes.json',
    table: 'earthquakes',
    queries: [
      { browser: 'select count(*) as n, sum(len(features)) as quakes from earthquakes' },
      {
        browser:
          'select f.properties.net as net, count(*) as n, round(max(f.properties.mag), 2) as top from (select unnest(features) as f from earthquakes) group by 1 order by 2 desc, 1 limit 10'
      }
    ]
  },
  {
    file: 'weekly-weather.json',
    table: 'weekly_weather',
    queries: [
      {
        browser:
          'select day, record.high as record_high, forecast.low.high as low_high from weekly_weather order by id'
      }
    ]
  },
  {
    file: 'stocks.csv',
    table: 'stocks',
    queries: [
      {
        browser:
          'select symbol, count(*) as n, round(avg(price), 2) as price from stocks group by 1 order by 1'
      }
    ]
  }
];

async function native(c: Case, sql: string): Promise<string[][]> {
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  const file = path.join(DATA, c.file);
  const reader = c.file.endsWith('.csv') ? 'read_csv_auto' : 'read_json_auto';
  await conn.run(`create view ${c.table} as select * from ${reader}('${file}')`);
  const r = await conn.runAndReadAll(sql);
  conn.closeSync();
  return r.getRowsJson().map((row) => row.map((v) => (v === null ? 'null' : String(v))));
}

/** What the result grid shows, row by row; numbers without their thousands separators. */
async function shown(page: Page): Promise<string[][]> {
  const rows = page.getByTestId('cell').nth(0).getByTestId('result-row');
  const texts: string[][] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const cells = await rows.nth(i).getByRole('cell').allTextContents();
    texts.push(cells.map((t) => (/^-?[\d,]+(\.\d+)?$/.test(t) ? t.replaceAll(',', '') : t)));
  }
  return texts;
}

test('vega-datasets files with mixed types, nulls, nesting and non-ASCII text answer as native DuckDB does', async ({
  page
}) => {
  test.setTimeout(240_000);
  const blocked: string[] = [];
  page.on('requestfailed', (r) => {
    if (!r.url().startsWith(new URL(page.url() || 'http://127.0.0.1').origin)) blocked.push(r.url());
  });
  page.on('console', (m) => {
    if (/Content Security Policy|extensions\.duckdb\.org/i.test(m.text())) blocked.push(m.text());
  });
  await signUp(page, 'Dana Datasets');
  await page.getByRole('button', { name: 'New notebook' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('connected');

  await page.getByLabel('Upload files').setInputFiles(CASES.map((c) => path.join(DATA, c.file)));
  for (const c of CASES) {
    const [[n]] = (await native(c, `select count(*) from ${c.table}`)) as [[string]];
    await expect(page.getByTestId('file').filter({ hasText: c.table })).toContainText(
      `${Number(n).toLocaleString('en-US')} ${n === '1' ? 'row' : 'rows'}`,
      { timeout: 60_000 }
    );
  }

  const cell = page.getByTestId('cell').nth(0);
  for (const c of CASES) {
    for (const q of c.queries) {
      const want = await native(c, q.native ?? q.browser);
      expect(want.length, `${q.browser} returns rows natively`).toBeGreaterThan(0);
      await typeSql(page, 0, q.browser);
      await cell.getByRole('button', { name: 'Run cell' }).click();
      await expect(cell.getByTestId('run-summary')).toContainText(
        `${want.length} row${want.length === 1 ? '' : 's'}`,
        { timeout: 60_000 }
      );
      await expect(cell.getByTestId('run-error')).toHaveCount(0);
      await expect.poll(() => shown(page), { message: q.browser }).toEqual(want);
    }
  }
  expect(blocked).toEqual([]);
});
