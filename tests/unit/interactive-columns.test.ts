// Which columns of a base table a dashboard's re-run queries may read (cells/interactive-plan/columns.ts): names
// they mention, and every column whenever something could expand over all of them. Dropping a column a query
// reads would change its answer for viewers, so each case that expands must keep everything.
import { describe, expect, it } from 'vitest';
import { columnsToKeep, readsAllColumns } from '../../cells/interactive-plan/columns';

const COLUMNS = ['region', 'amount', 'secret', 'Note', 'order date'].map((name) => ({
  name,
  type: 'VARCHAR'
}));
const kept = (sql: string | string[], table = 'sales') =>
  columnsToKeep(Array.isArray(sql) ? sql : [sql], table, COLUMNS).map((c) => c.name);

describe('columns a query names', () => {
  it.each([
    ['select region, sum(amount) from sales where region = {{r}} group by 1', ['region', 'amount']],
    ['select count(*) from sales where region = {{r}}', ['region']],
    ['select s.region from sales s where s.amount > 3', ['region', 'amount']],
    ['select s.region from sales as s', ['region']],
    ['select "Region", "NOTE" from sales', ['region', 'Note']],
    ['select "order date" from sales', ['order date']],
    ["select region, note from sales where note = 'secret amount'", ['region', 'Note']], // a string is no name
    ['select region from sales -- secret\n/* amount */', ['region']],
    ['select region, amount * 2 as doubled from sales', ['region', 'amount']],
    ['select extract(year from "order date") as y, region from sales', ['region', 'order date']],
    ['select region from sales where amount is distinct from 3', ['region', 'amount']],
    ['select count(*) filter (where amount > 1) from sales', ['amount']],
    [
      "select region from sales where region in (select region from sales where note = 'x')",
      ['region', 'Note']
    ],
    ['select a.region, b.amount from sales a join other b using (region)', ['region', 'amount']]
  ])('%s', (sql, expected) => expect(kept(sql)).toEqual(expected));

  it('takes the names of every query that reads the table', () => {
    expect(kept(['select region from sales', 'select amount from sales'])).toEqual(['region', 'amount']);
  });

  it('keeps a column named in another table of a join (same name, other table): more, never fewer', () => {
    expect(kept('select o.secret from sales s join other o on o.id = s.region')).toEqual([
      'region',
      'secret'
    ]);
  });
});

describe('everything, when something may expand over all columns', () => {
  it.each([
    'select * from sales',
    'select * exclude (secret) from sales where region = {{r}}',
    'select * replace (amount * 2 as amount) from sales',
    'select s.* from sales s',
    'select region, * from sales',
    'select distinct * from sales',
    "select columns('a.*') from sales",
    'from sales where region = {{r}}',
    'from sales select region',
    'select region from sales union all from sales',
    'select * from (from sales)',
    'select s from sales s',
    'select sales from sales',
    'select to_json(s) from sales s',
    'select x.a from sales as x(a, b, c)',
    'select region from sales natural join other',
    'pivot sales on region using sum(amount)',
    'select struct_pack(*) from sales',
    'select count(s.*) from sales s',
    'select #2 from sales'
  ])('%s', (sql) => {
    expect(readsAllColumns(sql, 'sales')).toBe(true);
    expect(kept(sql)).toEqual(COLUMNS.map((c) => c.name));
  });

  it('a star anywhere in a query that reads the table, even over something else: more, never fewer', () => {
    // `select *` reads sales' columns through the join.
    expect(readsAllColumns('select * from other o join sales s on s.region = o.region', 'sales')).toBe(true);
    // Here the star is over x, which holds only region; the pruner does not follow scopes and keeps all.
    expect(readsAllColumns('with x as (select region from sales) select * from x', 'sales')).toBe(true);
  });
});

describe('not a star', () => {
  it.each([
    'select count(*) from sales',
    'select amount * 2 from sales',
    'select (amount)*2 from sales',
    'select amount*region from sales',
    'select sales.region from sales'
  ])('%s', (sql) => expect(readsAllColumns(sql, 'sales')).toBe(false));
});
