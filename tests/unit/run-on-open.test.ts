// What opening a notebook runs by itself: only what a chart is missing, never work someone already did.
import { describe, expect, it } from 'vitest';
import { cellsToRunOnOpen } from '../../cells/sql/run-on-open';
import type { SqlCellState } from '../../cells/sql/staleness';

const done = { status: 'done' as const, runId: 'r1' };
const cell = (id: string, sql: string, extra: Partial<SqlCellState> = {}): SqlCellState => ({
  id,
  name: id,
  sql,
  run: null,
  engine: 'local',
  ...extra
});

describe('cellsToRunOnOpen', () => {
  it('runs a never-run chart source and the never-run local cells it reads, in notebook order', () => {
    const cells = [
      cell('base', 'select * from flights'),
      cell('other', 'select 1'),
      cell('by_hour', 'select hour, count(*) from base group by 1')
    ];
    expect(cellsToRunOnOpen(cells, ['by_hour'])).toEqual(['base', 'by_hour']);
    expect(cellsToRunOnOpen(cells, ['BY_HOUR'])).toEqual(['base', 'by_hour']);
  });

  it('runs nothing that has run, nothing on a connection, nothing empty, nothing no chart needs', () => {
    const cells = [
      cell('ran', 'select 1', { run: done }),
      cell('failed', 'select nope', { run: { status: 'error' } }),
      cell('remote', 'select 2', { engine: 'conn-1' }),
      cell('empty', '  '),
      cell('alone', 'select 3'),
      cell('uses_ran', 'select * from ran')
    ];
    expect(cellsToRunOnOpen(cells, ['ran', 'failed', 'remote', 'empty', 'missing'])).toEqual([]);
    expect(cellsToRunOnOpen(cells, ['uses_ran'])).toEqual(['uses_ran']);
  });
});
