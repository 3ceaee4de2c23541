// What the assistant is told: everything when it fits; when it does not, the tables the request is about first.
import { describe, expect, it } from 'vitest';
import { sqlKind } from '../../cells/sql/kind';
import { textKind } from '../../cells/text/kind';
import { buildContext, estimateTokens, type TableInfo } from '../../server/ai/context';

/** Cells as gather() hands them over: each described by its own kind. */
const sqlCell = (name: string, sql: string, columns?: string[]) => ({
  text: sqlKind.describe({
    id: name,
    kind: 'sql',
    name,
    source: sql,
    config: {},
    run: columns ? { status: 'done', columns: columns.map((c) => ({ name: c, type: 'Utf8' })) } : {}
  })
});
const textCell = (text: string) => ({
  text: textKind.describe({ id: 't', kind: 'text', name: '', source: text, config: {}, run: {} })
});

const table = (name: string, columns: string[], where = 'uploaded file'): TableInfo => ({
  name,
  where,
  engine: 'local',
  rows: 1000,
  columns: columns.map((c) => ({ name: c, type: 'VARCHAR', samples: ['a', 'b'] }))
});

const filler = (i: number) =>
  table(
    `archive_${i}`,
    Array.from({ length: 30 }, (_, k) => `field_${k}`)
  );

describe('buildContext', () => {
  it('describes tables with types and samples, the cells so far, and the title', () => {
    const c = buildContext({
      title: 'Sales review',
      prompt: 'monthly revenue by region',
      tables: [table('orders', ['region', 'revenue', 'ordered_at'])],
      cells: [textCell('# Notes'), sqlCell('by_region', 'select region from orders', ['region'])]
    });
    expect(c.text).toContain('Notebook title: Sales review');
    expect(c.text).toContain('Table orders (uploaded file, 1,000 rows; engine "local")');
    expect(c.text).toContain('  revenue VARCHAR  e.g. a, b');
    expect(c.text).toContain('result table "by_region"');
    expect(c.text).toContain('result columns: region');
    expect(c.described).toEqual(['orders']);
  });

  it('stays within the budget, putting the tables the request names (or whose columns it names) first', () => {
    const tables = [
      ...Array.from({ length: 60 }, (_, i) => filler(i)),
      table('customers', ['customer_id', 'segment']),
      table('web_events', ['session', 'revenue_cents', 'region'])
    ];
    const c = buildContext(
      { title: 'T', prompt: 'Revenue per region for each customer segment', tables, cells: [] },
      1500
    );
    expect(estimateTokens(c.text)).toBeLessThanOrEqual(1500);
    expect(c.described.slice(0, 2)).toEqual(['customers', 'web_events']);
    expect(c.described.length).toBeLessThan(tables.length);
    expect(c.listed.length + c.omitted + c.described.length).toBe(tables.length);
    expect(c.text).toMatch(/Also available, not described here for space: archive_/);
  });

  it('tables earlier cells read come before ones nobody mentions', () => {
    const c = buildContext(
      {
        title: 'T',
        prompt: 'make a chart',
        tables: [filler(1), table('shipments', ['carrier']), filler(2)],
        cells: [sqlCell('q', 'select * from shipments')]
      },
      6000
    );
    expect(c.described[0]).toBe('shipments');
  });

  it('a table too wide to fit whole keeps its first columns', () => {
    const wide = table(
      'wide',
      Array.from({ length: 500 }, (_, i) => `column_${i}`)
    );
    const c = buildContext({ title: 'T', prompt: 'wide', tables: [wide], cells: [] }, 800);
    expect(c.described).toEqual(['wide']);
    expect(c.text).toMatch(/… \d+ more columns/);
    expect(estimateTokens(c.text)).toBeLessThanOrEqual(800);
  });

  it('long cells cannot crowd out the tables: the latest cells are kept, within 40% of the budget', () => {
    const cells = Array.from({ length: 30 }, (_, i) =>
      sqlCell(`q${i}`, `select ${'x, '.repeat(500)} from t${i}`)
    );
    const c = buildContext({ title: 'T', prompt: 'orders', tables: [table('orders', ['id'])], cells }, 6000);
    expect(c.described).toEqual(['orders']);
    expect(c.text).toContain('result table "q29"');
    expect(c.text).not.toContain('result table "q0"');
    expect(c.text).toMatch(/the first \d+ left out/);
    expect(estimateTokens(c.text)).toBeLessThanOrEqual(6000);
  });
});
