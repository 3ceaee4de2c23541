// A dashboard viewer's filter values in the URL: one readable encoding per widget, only values that differ from
// the initial ones written, and a URL value that is not allowed refused (with the reason) for the initial value.
import { describe, expect, it } from 'vitest';
import { InputConfigSchema } from '../../cells/input/config';
import type { PublishedInput } from '../../cells/interactive';
import { readUrl, writeUrl, type Values } from '../../src/lib/dashboard/url-values';

function input(
  name: string,
  config: Record<string, unknown>,
  initial: unknown,
  choices: (string | number)[] = []
) {
  const { value: _v, default: _d, ...rest } = InputConfigSchema.parse(config);
  return { cellId: `c-${name}`, name, config: rest, choices, initial } satisfies PublishedInput;
}

const INPUTS: PublishedInput[] = [
  input('region', { widget: 'dropdown' }, 'West', ['West', 'East', 'North, South']),
  input('year', { widget: 'dropdown' }, 2024, [2023, 2024]),
  input('tags', { widget: 'multiselect' }, [], ['a', 'b', 'c']),
  input('period', { widget: 'daterange' }, { start: '2024-01-01', end: '2024-12-31' }),
  input('day', { widget: 'date' }, null),
  input('top', { widget: 'number', min: 1, max: 50 }, 10),
  input('size', { widget: 'slider', min: 0, max: 100, step: 5 }, 50),
  input('q', { widget: 'text' }, ''),
  input('flag', { widget: 'checkbox' }, false)
];

const read = (search: string) => readUrl(INPUTS, new URLSearchParams(search));

describe('filter values in the URL', () => {
  it('reads nothing as every initial value', () => {
    expect(read('')).toEqual({
      values: {
        region: 'West',
        year: 2024,
        tags: [],
        period: { start: '2024-01-01', end: '2024-12-31' },
        day: null,
        top: 10,
        size: 50,
        q: '',
        flag: false
      },
      refused: {}
    });
  });

  it('reads each widget in its own spelling, with choices typed as published', () => {
    const { values, refused } = read(
      'region=North%2C+South&year=2023&tags=c&tags=a&period=2024-02-01..2024-02-29&day=2024-03-05&top=7&size=15&q=a%26b&flag=true&svg=0'
    );
    expect(refused).toEqual({});
    expect(values).toEqual({
      region: 'North, South',
      year: 2023,
      tags: ['c', 'a'],
      period: { start: '2024-02-01', end: '2024-02-29' },
      day: '2024-03-05',
      top: 7,
      size: 15,
      q: 'a&b',
      flag: true
    });
  });

  it('round-trips: what is written reads back the same, and initial values are left out', () => {
    const chosen: Values = {
      ...read('').values,
      region: 'North, South',
      tags: ['b', 'c'],
      period: { start: '2024-05-01', end: '2024-05-31' },
      flag: true,
      q: 'x y'
    };
    const url = writeUrl(INPUTS, chosen, new URL('http://sheaf.test/d/abc?svg=0&year=2023'));
    expect(url.search).toBe(
      '?svg=0&region=North%2C+South&tags=b&tags=c&period=2024-05-01..2024-05-31&q=x+y&flag=true'
    );
    expect(readUrl(INPUTS, url.searchParams)).toEqual({ values: chosen, refused: {} });
  });

  it('writes an emptied multi-select and a cleared date range as an empty parameter', () => {
    const values: Values = { ...read('').values, tags: [], period: null };
    const emptied = writeUrl(INPUTS, { ...values, tags: ['a'] }, new URL('http://sheaf.test/d/abc'));
    expect(emptied.searchParams.getAll('tags')).toEqual(['a']);
    const cleared = writeUrl(INPUTS, values, new URL('http://sheaf.test/d/abc'));
    expect(cleared.search).toBe('?period=');
    expect(readUrl(INPUTS, cleared.searchParams).values.period).toBeNull();
  });

  it('refuses values that are not allowed, keeping the initial value and saying why', () => {
    const { values, refused } = read(
      'region=Mars&year=1999&tags=a&tags=zzz&period=2024-03-01..2024-01-01&day=2023-02-29&top=51&size=12&flag=maybe'
    );
    expect(values).toEqual(read('').values);
    expect(refused).toEqual({
      region: expect.stringContaining('"Mars" is not one of the choices.'),
      year: expect.stringContaining('"1999" is not one of the choices.'),
      tags: expect.stringContaining('"zzz" is not one of the choices.'),
      period: expect.stringContaining('the range ends before it starts.'),
      day: expect.stringContaining('that day does not exist.'),
      top: expect.stringContaining('the most allowed is 50.'),
      size: expect.stringContaining('steps of 5'),
      flag: expect.stringContaining('true or false')
    });
    for (const why of Object.values(refused))
      expect(why).toMatch(/Showing the dashboard’s own value instead\.$/);
  });

  it('refuses a number that is not one and a date range without its two ends', () => {
    const { refused } = read('top=ten&period=2024-01-01');
    expect(refused.top).toContain('"ten" is not a number.');
    expect(refused.period).toContain('start..end');
  });
});
