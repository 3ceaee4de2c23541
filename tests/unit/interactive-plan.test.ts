// The interactive dashboard plan (cells/interactive-plan/plan.ts, finish.ts) from a notebook document: the inputs
// on the grid, which cards follow them transitively, the cells re-run in notebook order and where, the base tables
// with their used columns, and the cap that leaves cards frozen when the tables are too big.
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { initNotebook, orderedCells, type NewCell } from '../../cells/document';
import { finishPlan, type Written } from '../../cells/interactive-plan/finish';
import { planInteractive, type Column } from '../../cells/interactive-plan/plan';
import { addToLayout, type ItemView } from '../../cells/layout';

const cols = (...names: string[]): Column[] => names.map((name) => ({ name, type: 'VARCHAR' }));
const TABLES: Record<string, Column[]> = {
  sales: cols('region', 'amount', 'secret', 'day'),
  clean: cols('region', 'amount', 'note'),
  regions: cols('region'),
  pg_orders: cols('region', 'n')
};
const lookups = {
  columnsOf: (name: string) => TABLES[name.toLowerCase()],
  choicesOf: (source: string, column: string) =>
    source === 'regions' && column === 'region' ? ['east', 'west'] : undefined
};

const input = (name: string, config: Record<string, unknown>): NewCell => ({ kind: 'input', name, config });
const sql = (name: string, source: string, engine?: string): NewCell => ({
  kind: 'sql',
  name,
  source,
  ...(engine ? { config: { engine } } : {})
});

function notebook(cells: NewCell[], grid: Record<string, ItemView>): Y.Doc {
  const doc = new Y.Doc();
  initNotebook(doc, 'Plan', cells);
  for (const c of orderedCells(doc)) {
    const key = c.name || c.source.toString();
    if (grid[key]) addToLayout(doc, c, grid[key]);
  }
  return doc;
}

const NOTEBOOK = [
  input('region', { widget: 'dropdown', options: { from: 'list', values: ['east', 'west'] }, value: 'east' }),
  input('picked', {
    widget: 'multiselect',
    emptyMeansAll: true,
    options: { from: 'column', source: 'regions', column: 'region' }
  }),
  input('offgrid', { widget: 'number', value: 3 }),
  sql('regions', 'select distinct region from sales'),
  sql('clean', 'select region, amount, note from sales where amount > {{offgrid}}'),
  sql('by_region', 'select region, sum(amount) as total from clean where region = {{region}} group by 1'),
  sql('top', 'select * from by_region order by total desc'),
  sql('pg_orders', 'select region, count(*) as n from orders where region in {{picked}} group by 1', 'conn1'),
  sql('joined', 'select o.region, o.n, s.day from pg_orders o join sales s using (region)'),
  sql('fixed', 'select max(secret) from sales'),
  { kind: 'text', source: 'Region: {{region}}, threshold {{offgrid}}' },
  { kind: 'text', source: 'No inputs here' }
];
const GRID: Record<string, ItemView> = {
  region: 'input',
  picked: 'input',
  top: 'table',
  joined: 'table',
  fixed: 'number',
  'Region: {{region}}, threshold {{offgrid}}': 'text',
  'No inputs here': 'text'
};

describe('planInteractive', () => {
  const doc = notebook(NOTEBOOK, GRID);
  const plan = planInteractive(doc, lookups);

  it('publishes the inputs on the grid only, without their stored value, with resolved choices', () => {
    expect(plan.inputs.map((i) => [i.name, i.initial, i.choices])).toEqual([
      ['region', 'east', ['east', 'west']],
      ['picked', [], ['east', 'west']]
    ]);
    expect(plan.inputs[0]!.config).not.toHaveProperty('value');
    expect(plan.inputs[0]!.config).not.toHaveProperty('default');
  });

  it('finds the inputs each card follows transitively; an input off the grid stays fixed', () => {
    const byCell = new Map(orderedCells(doc).map((c) => [c.id, c.name || 'text']));
    expect(plan.cards.map((c) => [byCell.get(c.cellId), c.inputs, c.cells.sort()])).toEqual([
      ['top', ['region'], ['by_region', 'top']],
      ['joined', ['picked'], ['joined', 'pg_orders']],
      ['text', ['region'], []]
    ]);
    expect(plan.cards[2]!.markdown).toBe('Region: {{region}}, threshold {{offgrid}}');
  });

  it('re-runs in notebook order: local cells in the browser, connection cells on the server', () => {
    expect(plan.cells.map((c) => [c.name, c.runsOn])).toEqual([
      ['by_region', 'browser'],
      ['top', 'browser'],
      ['pg_orders', 'server'],
      ['joined', 'browser']
    ]);
  });

  it('publishes what browser re-runs read and do not re-run, with the columns they use', () => {
    expect(plan.tables.map((t) => [t.name, t.columns.map((c) => c.name), t.readers])).toEqual([
      // clean follows only the fixed input: computed at publish, published without `note`.
      ['clean', ['region', 'amount'], ['by_region']],
      // joined names region and day of sales (and n of pg_orders): never `secret`.
      ['sales', ['region', 'day'], ['joined']]
    ]);
  });

  it('binds no fixed input: no browser re-run names one', () => {
    expect(plan.fixed).toEqual({});
  });

  it('nothing follows an input when no input is on the grid', () => {
    const still = planInteractive(notebook(NOTEBOOK, { ...GRID, region: 'table', picked: 'table' }), lookups);
    expect(still.inputs).toEqual([]);
    expect(finishPlan(still, new Map(), new Map())).toBeUndefined();
  });
});

describe('finishPlan', () => {
  const doc = notebook(NOTEBOOK, GRID);
  const plan = planInteractive(doc, lookups);
  const written = (bytes: Record<string, number>) =>
    new Map<string, Written>(
      Object.entries(bytes).map(([name, n], i) => [
        name,
        { file: `table-${i}.parquet`, columns: [], rows: 10, bytes: n }
      ])
    );

  it('keeps every card live under the cap', () => {
    const out = finishPlan(plan, written({ clean: 10, sales: 20 }), new Map())!;
    expect(out.cards).toHaveLength(3);
    expect(out.frozen).toEqual([]);
    expect(out.tables.map((t) => t.name)).toEqual(['clean', 'sales']);
    expect(out.cells.map((c) => c.name)).toEqual(['by_region', 'top', 'pg_orders', 'joined']);
    expect(out.cells.find((c) => c.name === 'pg_orders')).toEqual({ runsOn: 'server', name: 'pg_orders' });
  });

  it('freezes the cards whose tables would pass the cap, with a reason, and drops what only they need', () => {
    const out = finishPlan(plan, written({ clean: 10, sales: 2000 }), new Map(), 1000)!;
    const joined = orderedCells(doc).find((c) => c.name === 'joined')!.id;
    expect(out.frozen.map((f) => f.cellId)).toEqual([joined]);
    expect(out.frozen[0]!.reason).toMatch(/published values only.*past the 1 MB/);
    expect(out.tables.map((t) => t.name)).toEqual(['clean']);
    expect(out.cells.map((c) => c.name)).toEqual(['by_region', 'top']);
  });

  it('freezes a card whose table could not be written, saying why', () => {
    const out = finishPlan(
      plan,
      new Map<string, Written>([
        ['clean', { error: 'it cannot be recomputed in a browser (boom)' }],
        ['sales', { file: 'table-1.parquet', columns: [], rows: 1, bytes: 1 }]
      ]),
      new Map()
    )!;
    expect(out.frozen).toHaveLength(1);
    expect(out.frozen[0]!.reason).toContain('boom');
  });
});

describe('inputs off the grid', () => {
  it('travel with their published value when a browser re-run binds them, never for a connection cell', () => {
    const doc = notebook(
      [
        input('region', { widget: 'text', value: 'east' }),
        input('floor', { widget: 'number', value: 3 }),
        input('hidden', { widget: 'number', value: 250 }),
        sql('local', 'select region from sales where region = {{region}} and amount > {{floor}}'),
        sql('remote', 'select * from orders where region = {{region}} and n > {{hidden}}', 'conn1')
      ],
      { region: 'input', local: 'table', remote: 'table' }
    );
    const plan = planInteractive(doc, lookups);
    expect(plan.fixed).toEqual({ floor: { type: 'number', value: 3 } });
    const out = finishPlan(
      plan,
      new Map<string, Written>([['sales', { file: 'table-0.parquet', columns: [], rows: 1, bytes: 1 }]]),
      new Map()
    )!;
    expect(out.fixed).toEqual({ floor: { type: 'number', value: 3 } });
    // Neither its name nor its value travels (cell ids are random hex, which may well contain "250").
    expect(JSON.stringify(out)).not.toContain('"hidden"');
    expect(JSON.stringify(out)).not.toMatch(/\b250\b/);
  });
});
