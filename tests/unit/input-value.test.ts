// An input's value is checked against its widget wherever it comes from (the shared document, a person typing).
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readInputConfig } from '../../cells/input/config';
import { inputKind } from '../../cells/input/kind';
import { boundValue, checkValue, formatValue, inputValue } from '../../cells/input/value';
import { compileParameters } from '../../cells/sql/parameters';

describe('input values', () => {
  it('accepts what each widget holds and refuses the wrong type with a reason', () => {
    expect(checkValue({ widget: 'number' }, 42)).toEqual({ ok: true, value: 42 });
    expect(checkValue({ widget: 'number' }, '42')).toEqual({ ok: false, message: 'Not a number.' });
    expect(checkValue({ widget: 'slider', min: 0, max: 10 }, 11)).toEqual({
      ok: false,
      message: 'The most allowed is 10.'
    });
    expect(checkValue({ widget: 'date' }, '2024-02-29')).toEqual({ ok: true, value: '2024-02-29' });
    expect(checkValue({ widget: 'date' }, '2023-02-29')).toEqual({
      ok: false,
      message: 'That day does not exist.'
    });
    expect(checkValue({ widget: 'date' }, '29/02/2024')).toEqual({
      ok: false,
      message: 'Dates are written yyyy-mm-dd.'
    });
    expect(checkValue({ widget: 'daterange' }, { start: '2024-03-01', end: '2024-01-01' })).toEqual({
      ok: false,
      message: 'The range ends before it starts.'
    });
    expect(checkValue({ widget: 'multiselect' }, ['West', 3])).toEqual({ ok: true, value: ['West', 3] });
    expect(checkValue({ widget: 'checkbox' }, 'yes').ok).toBe(false);
    expect(checkValue({ widget: 'text' }, "'; drop table flights; --")).toEqual({
      ok: true,
      value: "'; drop table flights; --"
    });
  });

  it('reads the current value, else the default, else the empty value; bad values read as unset', () => {
    const config = (raw: Record<string, unknown>) => readInputConfig(raw);
    expect(inputValue(config({ widget: 'number', default: 5, value: 7 }))).toBe(7);
    expect(inputValue(config({ widget: 'number', default: 5, value: 'seven' }))).toBe(5);
    expect(inputValue(config({ widget: 'number' }))).toBeNull();
    expect(inputValue(config({ widget: 'slider', min: 3 }))).toBe(3);
    expect(inputValue(config({ widget: 'multiselect' }))).toEqual([]);
    expect(inputValue(config({ widget: 'nonsense', value: 'x' }))).toBe('x'); // an unknown widget reads as text
    expect(
      formatValue(
        inputValue(config({ widget: 'daterange', value: { start: '2024-01-01', end: '2024-01-31' } }))
      )
    ).toBe('2024-01-01 – 2024-01-31');
  });

  it('depends on the result its choices come from, and follows that result when it is renamed', () => {
    const doc = new Y.Doc();
    const config = doc.getMap<unknown>('config');
    config.set('widget', 'dropdown');
    config.set('options', { from: 'column', source: 'regions', column: 'region' });
    const view = { source: '', config: config.toJSON() as never };
    expect(inputKind.dependsOn?.(view)).toEqual(['regions']);
    inputKind.followRename?.({ config, source: new Y.Text() }, 'regions', 'all_regions');
    expect(config.get('options')).toEqual({ from: 'column', source: 'all_regions', column: 'region' });
    inputKind.followRename?.({ config, source: new Y.Text() }, 'other', 'x');
    expect(config.get('options')).toEqual({ from: 'column', source: 'all_regions', column: 'region' });
  });

  it('binds each widget as a typed parameter, and "empty means all" as every choice', () => {
    expect(boundValue({ widget: 'slider', emptyMeansAll: false }, 12)).toEqual({ type: 'number', value: 12 });
    expect(boundValue({ widget: 'dropdown', emptyMeansAll: false }, 'West')).toEqual({
      type: 'text',
      value: 'West'
    });
    expect(boundValue({ widget: 'dropdown', emptyMeansAll: false }, null, [2023, 2024])).toEqual({
      type: 'number',
      value: null
    });
    expect(boundValue({ widget: 'multiselect', emptyMeansAll: false }, [], ['East', 'West'])).toEqual({
      type: 'text_list',
      value: []
    });
    expect(boundValue({ widget: 'multiselect', emptyMeansAll: true }, [], ['East', 'West'])).toEqual({
      type: 'text_list',
      value: ['East', 'West']
    });
    expect(
      boundValue({ widget: 'daterange', emptyMeansAll: false }, { start: '2024-01-01', end: '2024-02-01' })
    ).toEqual({
      type: 'date_range',
      start: '2024-01-01',
      end: '2024-02-01'
    });
    const compiled = compileParameters('select * from t where region in (select unnest({{r}}))', 'duckdb', {
      r: boundValue({ widget: 'multiselect', emptyMeansAll: false }, ["O'Hare", 'West'])
    });
    expect(compiled.params).toEqual(["O'Hare", 'West']);
    expect(compiled.sql).not.toContain('Hare');
  });
});
