// Big results are charted from rows aggregated in DuckDB. The proof that this draws the same chart: render each
// spec with Vega twice — over the raw rows, and over the planned query's rows (run by native DuckDB) with the
// rewritten spec — and compare the SVGs.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aggregateQuery,
  analyze,
  binnedFields,
  extentQuery,
  type ColumnKinds,
  type Extents
} from '../../cells/chart/aggregate';
import { binStart, niceBins } from '../../cells/chart/bins';
import { withData } from '../../cells/chart/validate';
import type { VlSpec } from '../../cells/chart/spec';

const KINDS: ColumnKinds = {
  region: 'nominal',
  product: 'nominal',
  amount: 'quantitative',
  units: 'quantitative',
  sold_at: 'temporal'
};

let conn: DuckDBConnection;
let raw: Record<string, unknown>[];

// 5,000 rows of varied data with nulls, negative numbers and timestamps across three years.
beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(`create table sales as
    select
      ['north','south','east','west',null][(i % 5) + 1] as region,
      ['a','b','c'][(i * 7 % 3) + 1] as product,
      case when i % 97 = 0 then null else ((i * 7919) % 2000 - 300) / 10.0 end as amount,
      (i * 31) % 17 as units,
      timestamp '2022-01-01' + to_seconds((i * 104729) % (3 * 365 * 86400)) as sold_at
    from range(5000) t(i)`);
  raw = await rows('select * from sales');
});
afterAll(() => conn?.closeSync());

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const r = await conn.runAndReadAll(sql);
  return (r.getRowObjectsJS() as Record<string, unknown>[]).map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) {
      if (typeof v === 'bigint') out[k] = Number(v);
      else if (v instanceof Date) out[k] = v.getTime();
      else if (v && typeof v === 'object' && 'micros' in v)
        out[k] = Number((v as { micros: bigint }).micros / 1000n);
      else out[k] = v;
    }
    return out;
  });
}

async function svg(spec: VlSpec, values: object[]): Promise<string> {
  const vg = compile(withData(spec, values) as unknown as Parameters<typeof compile>[0]).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  const out = await view.toSVG();
  view.finalize();
  return canonical(out);
}

/** Marks drawn in another order (rows arrive grouped differently) and numbered gradients are the same picture. */
function canonical(svgText: string): string {
  return svgText
    .replace(/gradient_\d+/g, 'gradient')
    .replace(/(role="graphics-symbol"[^>]*) opacity="1"/g, '$1') // SVG's default opacity, written out
    .replace(/(?:<path aria-label="[^"]*" role="graphics-symbol"[^>]*\/>)+/g, (run) =>
      (run.match(/<path [^>]*\/>/g) ?? []).sort().join('')
    );
}

/** The first difference, with some context, so a failure is readable. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i === a.length && i === b.length
    ? ''
    : `at ${i}:\n  ${a.slice(Math.max(0, i - 150), i + 150)}\n  ${b.slice(Math.max(0, i - 150), i + 150)}`;
}

async function both(spec: VlSpec) {
  const a = analyze(spec, KINDS);
  expect(a, 'the spec should be plannable').not.toBeNull();
  const fields = binnedFields(a!);
  const extents: Extents = {};
  if (fields.length) {
    const [row] = await rows(extentQuery(fields, 'sales'));
    fields.forEach(
      (f, i) => (extents[f] = { min: row![`min${i}`] as number, max: row![`max${i}`] as number })
    );
  }
  const plan = aggregateQuery(a!, 'sales', extents);
  const aggregated = await rows(plan.sql);
  expect(aggregated.length).toBeLessThan(raw.length);
  return { direct: await svg(spec, raw), planned: await svg(plan.spec, aggregated) };
}

const base = { data: { name: 'source' }, width: 400, height: 200 };
const cases: [string, VlSpec][] = [
  [
    'bars: sum by category, sorted by value',
    {
      ...base,
      mark: 'bar',
      encoding: {
        x: { field: 'region', type: 'nominal', sort: '-y' },
        y: { field: 'amount', type: 'quantitative', aggregate: 'sum' }
      }
    }
  ],
  [
    'stacked bars: count by category and colour',
    {
      ...base,
      mark: 'bar',
      encoding: {
        x: { field: 'region', type: 'nominal' },
        y: { aggregate: 'count', type: 'quantitative' },
        color: { field: 'product', type: 'nominal' }
      }
    }
  ],
  [
    'histogram (30 bins, negative values, nulls)',
    {
      ...base,
      mark: 'bar',
      encoding: {
        x: { field: 'amount', type: 'quantitative', bin: { maxbins: 30 } },
        y: { aggregate: 'count', type: 'quantitative' }
      }
    }
  ],
  [
    'histogram with default bins over an integer column',
    {
      ...base,
      mark: 'bar',
      encoding: {
        x: { field: 'units', type: 'quantitative', bin: true },
        y: { aggregate: 'count', type: 'quantitative' }
      }
    }
  ],
  [
    'line: mean by month (UTC)',
    {
      ...base,
      mark: 'line',
      encoding: {
        x: { field: 'sold_at', type: 'temporal', timeUnit: 'utcyearmonth' },
        y: { field: 'amount', type: 'quantitative', aggregate: 'mean' }
      }
    }
  ],
  [
    'area: median by quarter and product',
    {
      ...base,
      mark: 'area',
      encoding: {
        x: { field: 'sold_at', type: 'temporal', timeUnit: 'utcyearquarter' },
        y: { field: 'units', type: 'quantitative', aggregate: 'median' },
        color: { field: 'product', type: 'nominal' }
      }
    }
  ],
  [
    'heatmap: count by two categories',
    {
      ...base,
      mark: 'rect',
      encoding: {
        x: { field: 'region', type: 'nominal' },
        y: { field: 'product', type: 'nominal' },
        color: { aggregate: 'count', type: 'quantitative' }
      }
    }
  ],
  [
    'pie: sum by category',
    {
      data: { name: 'source' },
      mark: 'arc',
      encoding: {
        theta: { field: 'units', type: 'quantitative', aggregate: 'sum' },
        color: { field: 'product', type: 'nominal' }
      }
    }
  ],
  [
    'facets: max per category, split by product, with a tooltip',
    {
      data: { name: 'source' },
      width: 120,
      height: 120,
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'region', type: 'nominal' },
        y: { field: 'amount', type: 'quantitative', aggregate: 'max' },
        column: { field: 'product', type: 'nominal' },
        tooltip: [
          { field: 'region', type: 'nominal' },
          { field: 'amount', type: 'quantitative', aggregate: 'max' }
        ]
      }
    }
  ],
  [
    'distinct count of a field with nulls (Vega counts the missing value as one)',
    {
      ...base,
      mark: 'bar',
      encoding: {
        x: { field: 'product', type: 'nominal' },
        y: { field: 'region', type: 'quantitative', aggregate: 'distinct' }
      }
    }
  ],
  [
    'scatter of aggregates: distinct count against a raw number',
    {
      ...base,
      mark: 'point',
      encoding: {
        x: { field: 'units', type: 'quantitative' },
        y: { field: 'product', type: 'nominal', aggregate: 'distinct' }
      }
    }
  ]
];

describe('charts aggregated in DuckDB draw what Vega draws from the raw rows', () => {
  for (const [name, spec] of cases) {
    it(name, async () => {
      const { direct, planned } = await both(spec);
      expect(firstDifference(planned, direct)).toBe('');
    });
  }
});

describe('what is not planned (the chart samples instead)', () => {
  const no: [string, VlSpec][] = [
    [
      'a raw scatter plot',
      {
        mark: 'point',
        encoding: {
          x: { field: 'units', type: 'quantitative' },
          y: { field: 'amount', type: 'quantitative' }
        }
      }
    ],
    [
      'a spec with transforms',
      { mark: 'bar', transform: [{ filter: 'datum.amount > 1' }], encoding: { y: { aggregate: 'count' } } }
    ],
    ['layers', { layer: [{ mark: 'bar' }] }],
    [
      'a box plot',
      {
        mark: 'boxplot',
        encoding: { x: { field: 'region', type: 'nominal' }, y: { field: 'amount', type: 'quantitative' } }
      }
    ],
    [
      'nested field paths',
      { mark: 'bar', encoding: { x: { field: 'region.x', type: 'nominal' }, y: { aggregate: 'count' } } }
    ],
    [
      'an aggregate Vega knows and SQL does not here',
      {
        mark: 'bar',
        encoding: { x: { field: 'region', type: 'nominal' }, y: { field: 'amount', aggregate: 'argmax' } }
      }
    ],
    [
      'a tooltip on a raw field',
      {
        mark: 'bar',
        encoding: {
          x: { field: 'region', type: 'nominal' },
          y: { aggregate: 'count' },
          tooltip: [{ field: 'units' }]
        }
      }
    ],
    [
      'a local time unit (the viewer’s zone would shift it)',
      {
        mark: 'line',
        encoding: {
          x: { field: 'sold_at', type: 'temporal', timeUnit: 'yearmonth' },
          y: { aggregate: 'count' }
        }
      }
    ],
    [
      'a time unit on a number',
      {
        mark: 'line',
        encoding: { x: { field: 'units', type: 'temporal', timeUnit: 'utcyear' }, y: { aggregate: 'count' } }
      }
    ],
    [
      'bins over a date',
      {
        mark: 'bar',
        encoding: { x: { field: 'sold_at', type: 'quantitative', bin: true }, y: { aggregate: 'count' } }
      }
    ],
    [
      'a sum of text',
      {
        mark: 'bar',
        encoding: { x: { field: 'units', type: 'nominal' }, y: { field: 'region', aggregate: 'sum' } }
      }
    ],
    [
      'a field the result does not have',
      { mark: 'bar', encoding: { x: { field: 'nope', type: 'nominal' }, y: { aggregate: 'count' } } }
    ]
  ];
  for (const [name, spec] of no) it(name, () => expect(analyze(spec, KINDS)).toBeNull());
});

describe('bins', () => {
  it('match the SQL bin expression value by value', async () => {
    const b = niceBins(-30, 169.9, 30);
    const r = await rows(
      `select amount, ${(await import('../../cells/chart/bins')).binStartSql('amount', b)} as s from sales where amount is not null`
    );
    for (const row of r) expect(row.s).toBe(binStart(row.amount as number, b));
  });
  it('are nice steps that cover the extent', () => {
    expect(niceBins(0, 100, 10)).toEqual({ start: 0, stop: 100, step: 10 });
    expect(niceBins(3, 3, 10).stop).toBeGreaterThan(3);
    const b = niceBins(-0.37, 12.2, 30);
    expect(b.start).toBeLessThanOrEqual(-0.37);
    expect(b.stop).toBeGreaterThanOrEqual(12.2);
  });
});
