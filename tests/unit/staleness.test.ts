import { describe, expect, it } from 'vitest';
import { hashSource, type RunRecord } from '../../cells/sql/run-record';
import { affectedByInputs, inputMark, staleCells, type SqlCellState } from '../../cells/sql/staleness';

const ran = (sql: string, runId: string, inputs: Record<string, string> = {}): RunRecord => ({
  status: 'done',
  runId,
  sourceHash: hashSource(sql),
  inputs
});

function notebook() {
  const a = { id: 'a', name: 'orders', sql: 'select * from files_orders', run: null as RunRecord | null };
  a.run = ran(a.sql, 'r1');
  const b = {
    id: 'b',
    name: 'by_month',
    sql: 'select month, sum(x) from orders group by 1',
    run: null as RunRecord | null
  };
  b.run = ran(b.sql, 'r2', { orders: 'r1' });
  const c = { id: 'c', name: 'top', sql: 'select * from BY_MONTH limit 3', run: null as RunRecord | null };
  c.run = ran(c.sql, 'r3', { by_month: 'r2' });
  const d = { id: 'd', name: 'other', sql: 'select 1', run: null as RunRecord | null };
  d.run = ran(d.sql, 'r4');
  return [a, b, c, d] satisfies SqlCellState[];
}

describe('staleCells', () => {
  it('nothing is stale right after everything ran', () => {
    expect(staleCells(notebook()).size).toBe(0);
  });

  it('editing a cell makes it and everything downstream stale, not unrelated cells', () => {
    const cells = notebook();
    cells[0]!.sql = 'select * from files_orders where x > 0';
    const stale = staleCells(cells);
    expect([...stale.keys()]).toEqual(['a', 'b', 'c']);
    expect(stale.get('a')).toBe('The SQL changed since this ran.');
    expect(stale.get('b')).toBe('It reads orders, which is stale.');
  });

  it('re-running an upstream cell makes its readers stale until they run again', () => {
    const cells = notebook();
    cells[0]!.run = ran(cells[0]!.sql, 'r1b');
    expect(staleCells(cells).get('b')).toBe('orders ran again since this ran.');
    cells[1]!.run = ran(cells[1]!.sql, 'r2b', { orders: 'r1b' });
    expect([...staleCells(cells).keys()]).toEqual(['c']);
  });

  it('moving a cell to another engine (a connection, or back to the browser) makes it and its readers stale', () => {
    const cells: SqlCellState[] = notebook().map((c) => ({
      ...c,
      engine: 'local',
      run: { ...c.run!, engine: 'local' }
    }));
    expect(staleCells(cells).size).toBe(0);
    cells[0] = { ...cells[0]!, engine: 'conn123' };
    const stale = staleCells(cells);
    expect(stale.get('a')).toBe('It runs somewhere else now.');
    expect([...stale.keys()].sort()).toEqual(['a', 'b', 'c']);
  });

  it('cells that never ran or failed are not called stale; whitespace changes are not edits', () => {
    const cells = notebook();
    cells[1]!.run = { status: 'error', error: 'boom' };
    cells[3]!.sql = '  select 1  ';
    expect([...staleCells(cells).keys()]).toEqual([]);
  });
});

describe('inputs as upstreams', () => {
  const region = (hash: string) => new Map([['region', { name: 'Region', hash }]]);
  function withInput() {
    const q = {
      id: 'q',
      name: 'q',
      sql: 'select * from t where r = {{REGION}}',
      run: null as RunRecord | null
    };
    q.run = ran(q.sql, 'r1', { Region: inputMark('h1') });
    const down = { id: 'down', name: 'down', sql: 'select count(*) from q', run: null as RunRecord | null };
    down.run = ran(down.sql, 'r2', { q: 'r1' });
    const other = { id: 'other', name: 'other', sql: "select '{{region}}'", run: null as RunRecord | null };
    other.run = ran(other.sql, 'r3');
    return [q, down, other] satisfies SqlCellState[];
  }

  it('a cell that binds an input is stale once its value hash changes, and what reads it follows', () => {
    expect(staleCells(withInput(), region('h1')).size).toBe(0);
    const stale = staleCells(withInput(), region('h2'));
    expect(stale.get('q')).toBe('Region changed since this ran.');
    expect(stale.get('down')).toBe('It reads q, which is stale.');
    expect(stale.has('other')).toBe(false); // inside a string: not a reference
    expect(affectedByInputs(withInput(), region('h2'))).toEqual(['q', 'down']);
    expect(affectedByInputs(withInput(), region('h1'))).toEqual([]);
  });

  it('a failed run of a cell that binds an input runs again when the input changes', () => {
    const cells = withInput();
    cells[0]!.run = { status: 'error', error: 'boom' };
    expect(affectedByInputs(cells, region('h2'))).toEqual(['q']);
  });
});
