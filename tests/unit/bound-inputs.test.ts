// The notebook's inputs as the server binds them: every input cell by name, its value now (current, else default,
// else empty) typed by its widget, "empty means all" lists bound whole, and nothing from a broken or unnamed cell.
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { initNotebook, orderedCells, type NewCell } from '../../cells/document';
import {
  choicesFrom,
  columnChoicesNeeded,
  notebookInputValues,
  referencedInputCells
} from '../../cells/input/bound-inputs';
import { compileParameters } from '../../cells/sql/parameters';

function notebook(cells: NewCell[]): Y.Doc {
  const doc = new Y.Doc();
  initNotebook(doc, 'Inputs', cells);
  return doc;
}
const input = (name: string, config: Record<string, unknown>): NewCell => ({ kind: 'input', name, config });

describe('notebookInputValues', () => {
  it('binds each input’s value now, typed by its widget', () => {
    const doc = notebook([
      { kind: 'sql', name: 'q', source: 'select 1' },
      input('region', {
        widget: 'dropdown',
        options: { from: 'list', values: ['north', 'south'] },
        value: 'south'
      }),
      input('year', { widget: 'dropdown', options: { from: 'list', values: [2023, 2024] }, default: 2024 }),
      input('min', { widget: 'number', value: 'ten', default: 5 }), // a wrong value reads as unset
      input('period', { widget: 'daterange', value: { start: '2024-01-01', end: '2024-01-31' } }),
      input('on', { widget: 'date' }),
      input('flag', { widget: 'checkbox', value: true }),
      input('picked', { widget: 'multiselect', options: { from: 'list', values: ['a', 'b'] }, value: ['b'] })
    ]);
    expect(notebookInputValues(doc)).toEqual({
      region: { type: 'text', value: 'south' },
      year: { type: 'number', value: 2024 },
      min: { type: 'number', value: 5 },
      period: { type: 'date_range', start: '2024-01-01', end: '2024-01-31' },
      on: { type: 'date', value: null },
      flag: { type: 'boolean', value: true },
      picked: { type: 'text_list', value: ['b'] }
    });
  });

  it('binds every choice of an empty "empty means all" list, from its list or from the column it is given', () => {
    const doc = notebook([
      input('all', {
        widget: 'multiselect',
        emptyMeansAll: true,
        options: { from: 'list', values: [1, 2, 3] }
      }),
      input('none', { widget: 'multiselect', options: { from: 'list', values: ['x', 'y'] } }),
      input('cities', {
        widget: 'multiselect',
        emptyMeansAll: true,
        options: { from: 'column', source: 'places', column: 'city' }
      }),
      input('chosen', {
        widget: 'multiselect',
        emptyMeansAll: true,
        options: { from: 'column', source: 'places', column: 'zip' },
        value: ['Oslo']
      })
    ]);
    expect(columnChoicesNeeded(doc)).toEqual([{ source: 'places', column: 'city' }]);
    const values = notebookInputValues(doc, (source, column) =>
      source === 'places' && column === 'city' ? ['Oslo', 'Lima'] : undefined
    );
    expect(values).toEqual({
      all: { type: 'number_list', value: [1, 2, 3] },
      none: { type: 'text_list', value: [] },
      cities: { type: 'text_list', value: ['Oslo', 'Lima'] },
      chosen: { type: 'text_list', value: ['Oslo'] }
    });
    // Without the column's values, "all" is unknown: an empty list, which matches nothing rather than guessing.
    expect(notebookInputValues(doc).cities).toEqual({ type: 'text_list', value: [] });
  });

  it('skips cells that are not inputs and names SQL cannot reference; a name taken twice binds the first', () => {
    const doc = notebook([
      { kind: 'text', source: '{{region}}' },
      input('region', { widget: 'text', value: 'first' }),
      input('Region', { widget: 'text', value: 'second' })
    ]);
    // A client wrote a name no SQL can reference.
    const cells = orderedCells(doc);
    doc.transact(() => cells[2]!.map.set('name', 'not a name'));
    expect(notebookInputValues(doc)).toEqual({ region: { type: 'text', value: 'first' } });
    doc.transact(() => cells[2]!.map.set('name', 'REGION'));
    expect(notebookInputValues(doc)).toEqual({ region: { type: 'text', value: 'first' } });
  });

  it('reads plain cells too, and what it gives compiles: a value is a parameter, not text', () => {
    const values = notebookInputValues([
      { kind: 'input', name: 'region', config: { widget: 'text', value: "'; drop table orders; --" } }
    ]);
    const q = compileParameters('select * from orders where region = {{region}}', 'duckdb', values);
    expect(q.sql).toBe('select * from orders where region = $1');
    expect(q.params).toEqual(["'; drop table orders; --"]);
  });
});

describe('choicesFrom', () => {
  it('keeps numbers of a numeric column and text of others, without NULLs', () => {
    expect(choicesFrom([3, 10n, null, 2.5], true)).toEqual([3, 10, 2.5]);
    expect(choicesFrom(['a', null, 'b'], false)).toEqual(['a', 'b']);
    expect(choicesFrom(['nul\u0000'], false)).toEqual([]);
  });
});

describe('referencedInputCells', () => {
  it('finds the inputs the queries bind, in notebook order, not those only in strings', () => {
    const doc = notebook([
      input('a', { widget: 'text' }),
      input('b', { widget: 'text' }),
      input('c', { widget: 'text' })
    ]);
    const found = referencedInputCells(orderedCells(doc), ["select {{C}}, '{{b}}'", 'select {{a}}']);
    expect(found.map((c) => c.name)).toEqual(['a', 'c']);
  });
});
