import { describe, expect, it } from 'vitest';
import { mentioned, referencedNames } from '../../cells/sql/references';

describe('referencedNames', () => {
  it('finds table names in joins, subqueries and CTEs, case-insensitively', () => {
    const names = referencedNames(
      'WITH m AS (select * from Orders_By_Month) select m.*, c.x from m join "Cars" c using (id) where y in (select y from t2)'
    );
    for (const n of ['orders_by_month', 'cars', 't2', 'm']) expect(names.has(n)).toBe(true);
  });

  it('ignores strings, comments and numbers', () => {
    const names = referencedNames(
      "select 'from hidden' as s, 1e5 -- from commented\n/* from blocked */ from visible where s = 'it''s'"
    );
    expect(names.has('hidden')).toBe(false);
    expect(names.has('commented')).toBe(false);
    expect(names.has('blocked')).toBe(false);
    expect(names.has('e5')).toBe(false);
    expect(names.has('visible')).toBe(true);
    expect(names.has('s')).toBe(true);
  });

  it('reads escaped quotes in identifiers and survives unclosed quotes', () => {
    expect(referencedNames('select * from "we""ird"').has('we"ird')).toBe(true);
    expect([...referencedNames("select * from t where x = 'open")]).toEqual([
      'select',
      'from',
      't',
      'where',
      'x'
    ]);
  });

  it('mentioned keeps the candidates a query names, in their order', () => {
    expect(mentioned('select * from b join A on true', ['A', 'b', 'c'])).toEqual(['A', 'b']);
  });
});
