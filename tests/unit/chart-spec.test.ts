// Builder settings → Vega-Lite, for every mark: the spec compiles, and encodes what the user picked.
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromJSON } from 'apache-arrow';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { MARKS, readChartConfig, type ChartConfig } from '../../cells/chart/config';
import { defaultChart, repeatingColumns } from '../../cells/chart/defaults';
import { buildSpec, type VlSpec } from '../../cells/chart/spec';
import { checkSpec, withData } from '../../cells/chart/validate';

const columns = [
  { name: 'region', type: 'Utf8' },
  { name: 'amount', type: 'Float64' },
  { name: 'units', type: 'Int64' },
  { name: 'sold_at', type: 'Timestamp<MICROSECOND>' }
];
const rows = Array.from({ length: 40 }, (_, i) => ({
  region: ['north', 'south', 'east'][i % 3],
  amount: (i * 37) % 100,
  units: i % 7,
  sold_at: Date.UTC(2024, i % 12, 1 + (i % 27))
}));

const base: ChartConfig = {
  mode: 'builder',
  source: 'sales',
  mark: 'bar',
  x: { field: 'region', type: 'nominal', sort: '-y' },
  y: { field: 'amount', type: 'quantitative', aggregate: 'sum' },
  color: { field: 'region', type: 'nominal' }
};

async function draw(spec: VlSpec): Promise<vega.View> {
  const vg = compile({ ...withData(spec, rows), width: 300 } as unknown as Parameters<
    typeof compile
  >[0]).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  await view.runAsync();
  return view;
}

const enc = (spec: VlSpec) => spec.encoding as Record<string, Record<string, unknown>>;

describe('buildSpec', () => {
  for (const mark of MARKS) {
    it(`${mark}: compiles and draws`, async () => {
      const spec = buildSpec(
        { ...base, mark, x: mark === 'histogram' ? { field: 'amount', type: 'quantitative' } : base.x },
        columns
      );
      const view = await draw(spec);
      const svg = await view.toSVG();
      expect(svg).toContain('role="graphics-symbol"');
      view.finalize();
    });
  }

  it('bars: summarised, sorted, titled for people', () => {
    const e = enc(buildSpec({ ...base, title: 'Revenue' }, columns));
    expect(e.x).toMatchObject({ field: 'region', type: 'nominal', sort: '-y', title: 'region' });
    expect(e.y).toMatchObject({ field: 'amount', aggregate: 'sum', title: 'Sum of amount' });
    expect(buildSpec({ ...base, title: 'Revenue' }).title).toBe('Revenue');
  });

  it('histogram: binned x (30 bins) and a count, whatever y says', () => {
    const e = enc(buildSpec({ ...base, mark: 'histogram', x: { field: 'amount', type: 'quantitative' } }));
    expect(e.x).toMatchObject({ field: 'amount', bin: { maxbins: 30 } });
    expect(e.y).toMatchObject({ aggregate: 'count', title: 'Count of rows' });
  });

  it('pie: x is the slice, y the angle', () => {
    const spec = buildSpec({ ...base, mark: 'arc', color: undefined });
    expect(enc(spec).theta).toMatchObject({ field: 'amount', aggregate: 'sum' });
    expect(enc(spec).color).toMatchObject({ field: 'region' });
    expect(enc(spec).x).toBeUndefined();
  });

  it('box plot: raw values, min–max whiskers', () => {
    const spec = buildSpec({ ...base, mark: 'boxplot' });
    expect(spec.mark).toMatchObject({ type: 'boxplot', extent: 'min-max' });
    expect(enc(spec).y?.aggregate).toBeUndefined();
  });

  it('time: UTC time units, or a UTC scale for exact times', () => {
    const byMonth = enc(
      buildSpec({ ...base, mark: 'line', x: { field: 'sold_at', type: 'temporal', timeUnit: 'yearmonth' } })
    );
    expect(byMonth.x).toMatchObject({ timeUnit: 'utcyearmonth' });
    const exact = enc(buildSpec({ ...base, mark: 'line', x: { field: 'sold_at', type: 'temporal' } }));
    expect(exact.x).toMatchObject({ scale: { type: 'utc' } });
  });

  it('facets get a fixed panel width; tooltips add the extra fields', () => {
    const spec = buildSpec(
      { ...base, column: { field: 'region', type: 'nominal' }, tooltip: ['units'] },
      columns
    );
    expect(spec.width).toBe(180);
    expect(enc(spec).column).toMatchObject({ field: 'region' });
    expect(spec.encoding).toHaveProperty('tooltip');
    expect(JSON.stringify((spec.encoding as { tooltip: unknown }).tooltip)).toContain(
      '"field":"units","type":"quantitative"'
    );
  });
});

describe('config from the shared document', () => {
  it('keeps valid keys and drops what another client wrote wrong', () => {
    const c = readChartConfig({
      mark: 'pie-ish',
      source: 'sales',
      x: { field: 'a', type: 'nominal' },
      y: { type: 'nonsense' },
      title: 7
    });
    expect(c).toMatchObject({ mode: 'builder', source: 'sales', mark: 'bar', x: { field: 'a' } });
    expect(c.y).toBeUndefined();
    expect(c.title).toBeUndefined();
  });
});

describe('defaults from column types', () => {
  it('a time and a number → a line over time', () => {
    expect(defaultChart('s', columns)).toMatchObject({
      mark: 'line',
      x: { field: 'sold_at', type: 'temporal' },
      y: { field: 'amount', aggregate: 'sum' }
    });
  });
  it('a category and a number → bars sorted by value', () => {
    expect(defaultChart('s', columns.slice(0, 2))).toMatchObject({
      mark: 'bar',
      x: { field: 'region', sort: '-y' }
    });
  });
  it('numbers only → a histogram; categories only → counts', () => {
    expect(defaultChart('s', [columns[1]!])).toMatchObject({ mark: 'histogram', x: { field: 'amount' } });
    expect(defaultChart('s', [columns[0]!])).toMatchObject({ mark: 'bar', y: { aggregate: 'count' } });
  });
});

describe('checkSpec (spec mode)', () => {
  it('accepts a spec that compiles', async () => {
    const r = await checkSpec(JSON.stringify(buildSpec(base)));
    expect(r.ok).toBe(true);
  });
  const bad: [string, string, RegExp][] = [
    ['empty', '  ', /empty/],
    ['not JSON', '{"mark": "bar",}', /not valid JSON/],
    ['not an object', '[1, 2]', /must be a JSON object/],
    ['data from a URL', '{"data": {"url": "https://evil.example/x.csv"}, "mark": "bar"}', /not allowed/],
    ['a URL deep in a layer', '{"layer": [{"data": {"url": "/api/files"}, "mark": "bar"}]}', /not allowed/],
    ['an unknown mark', '{"mark": "sparkle", "encoding": {}}', /cannot draw/i]
  ];
  for (const [name, text, message] of bad) {
    it(`refuses ${name} with a message`, async () => {
      const r = await checkSpec(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(message);
    });
  }
});

describe('summing by default only when x repeats', () => {
  // The query runs in real DuckDB; its rows come back as an Arrow table, as the notebook's engine returns them.
  async function query(sql: string) {
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    await conn.run(
      "create table per_region as select * from (values ('West', 10.5), ('East', 7.25)) t(region, avg_price)"
    );
    await conn.run(
      "create table sales as select * from (values ('West', 10.5), ('West', 3.0), ('East', 7.25)) t(region, price)"
    );
    const rows = (await conn.runAndReadAll(sql)).getRowObjectsJson();
    conn.closeSync();
    return tableFromJSON(rows);
  }
  const cols = (n: string) => [
    { name: 'region', type: 'Utf8' },
    { name: n, type: 'Float64' }
  ];

  it('one row per category: the plain column, no sum', async () => {
    const repeats = await repeatingColumns('per_region', cols('avg_price'), query);
    expect([...repeats]).toEqual([]);
    const chart = defaultChart('per_region', cols('avg_price'), repeats);
    expect(chart.y).toEqual({ field: 'avg_price', type: 'quantitative' });
    const spec = buildSpec(chart, cols('avg_price'));
    expect(JSON.stringify(spec)).not.toMatch(/Sum of/);
  });

  it('categories that repeat: summed', async () => {
    const repeats = await repeatingColumns('sales', cols('price'), query);
    expect([...repeats]).toEqual(['region']);
    expect(defaultChart('sales', cols('price'), repeats).y).toMatchObject({ aggregate: 'sum' });
  });
});
