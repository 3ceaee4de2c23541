// Dashboard viewers' filter values for server re-runs: only what the published input allows, with messages that
// name the input; inputs not on the dashboard cannot be set; the cache key is canonical.
import { describe, expect, it } from 'vitest';
import { checkAllowed } from '../../cells/input/allowed';
import { InputConfigSchema } from '../../cells/input/config';
import type { PublishedInput } from '../../cells/interactive';
import { compileParameters, type InputValues } from '../../cells/sql/parameters';
import { AppError } from '../../server/errors';
import { boundKey, parseValuesParam, viewerValues } from '../../server/publish/live-values';

function published(
  name: string,
  config: Record<string, unknown>,
  choices: (string | number)[] = []
): PublishedInput {
  const full = InputConfigSchema.parse(config);
  const { value: _v, default: _d, ...rest } = full;
  return { cellId: `c-${name}`, name, config: rest, choices, initial: null };
}

const region = published('region', { widget: 'dropdown', label: 'Region' }, ['north', 'south', "x'; --"]);
const year = published('year', { widget: 'dropdown' }, [2023, 2024]);
const picked = published('picked', { widget: 'multiselect', label: 'Products' }, ['a', 'b', 'c']);
const amount = published('amount', { widget: 'number', label: 'Least amount', min: 0, max: 100 });
const level = published('level', { widget: 'slider', min: 1, max: 2, step: 0.1 });
const period = published('period', { widget: 'daterange', label: 'Period' });
const day = published('day', { widget: 'date' });
const paid = published('paid', { widget: 'checkbox', label: 'Paid only' });
const text = published('q', { widget: 'text', label: 'Search' });

const refused = (input: PublishedInput, raw: unknown) => {
  const r = checkAllowed(input, raw);
  if (r.ok) throw new Error(`allowed ${JSON.stringify(raw)}`);
  return r.message;
};
const allowed = (input: PublishedInput, raw: unknown) => {
  const r = checkAllowed(input, raw);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('checkAllowed', () => {
  it('takes a dropdown value only among its published choices, of the same type', () => {
    expect(allowed(region, 'south')).toBe('south');
    expect(allowed(region, "x'; --")).toBe("x'; --");
    expect(refused(region, 'Atlantis')).toBe('Region: "Atlantis" is not one of the choices.');
    expect(refused(region, 'North')).toContain('not one of the choices');
    expect(allowed(year, 2024)).toBe(2024);
    expect(refused(year, '2024')).toBe('year: "2024" is not one of the choices.');
    expect(refused(year, 2025)).toBe('year: 2025 is not one of the choices.');
    expect(refused(region, { toString: 'north' })).toBe('Region: not a text or a choice.');
  });

  it('takes a multi-select list of distinct published choices', () => {
    expect(allowed(picked, ['c', 'a'])).toEqual(['c', 'a']);
    expect(allowed(picked, [])).toEqual([]);
    expect(refused(picked, ['a', 'z'])).toBe('Products: "z" is not one of the choices.');
    expect(refused(picked, ['a', 'a'])).toBe('Products: a choice is picked twice.');
    expect(refused(picked, 'a')).toBe('Products: not a list of choices.');
    expect(refused(picked, null)).toBe('Products: a value is needed.');
  });

  it('keeps numbers within bounds and a slider on its steps', () => {
    expect(allowed(amount, 0)).toBe(0);
    expect(allowed(amount, 100)).toBe(100);
    expect(refused(amount, 101)).toBe('Least amount: the most allowed is 100.');
    expect(refused(amount, -1)).toBe('Least amount: the least allowed is 0.');
    expect(refused(amount, '5')).toBe('Least amount: not a number.');
    expect(allowed(level, 1.3)).toBe(1.3); // 0.3 / 0.1 is 2.9999999999999996 in binary
    expect(refused(level, 1.35)).toBe('level: the value moves in steps of 0.1.');
    expect(refused(level, 2.1)).toBe('level: the most allowed is 2.');
  });

  it('takes real days and ranges that do not end before they start', () => {
    expect(allowed(period, { start: '2024-01-01', end: '2024-03-31' })).toEqual({
      start: '2024-01-01',
      end: '2024-03-31'
    });
    expect(refused(period, { start: '2024-03-01', end: '2024-01-01' })).toBe(
      'Period: the range ends before it starts.'
    );
    expect(refused(period, { start: '2024-02-30', end: '2024-03-01' })).toBe(
      'Period: that day does not exist.'
    );
    expect(refused(day, '1/2/2024')).toBe('day: dates are written yyyy-mm-dd.');
    expect(allowed(day, null)).toBeNull(); // empty, as a notebook's unset date binds NULL
  });

  it('takes yes or no for a checkbox and any text up to its limit for a text box', () => {
    expect(allowed(paid, true)).toBe(true);
    expect(refused(paid, 'true')).toBe('Paid only: not a yes or no.');
    expect(refused(paid, null)).toBe('Paid only: a value is needed.');
    expect(allowed(text, "'; drop table x; --")).toBe("'; drop table x; --");
    expect(refused(text, 'a\u0000b')).toBe('Search: text may not contain a NUL character.');
    expect(refused(text, 'x'.repeat(10_001))).toBe('Search: not a text or a choice.');
  });
});

describe('viewerValues', () => {
  const base: InputValues = {
    region: { type: 'text', value: 'north' },
    year: { type: 'number', value: 2023 },
    secret: { type: 'text', value: 'fixed' }
  };

  const refusal = (requested: Record<string, unknown>) => {
    try {
      viewerValues([region, year], base, requested);
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).status).toBe(400);
      return (e as AppError).message;
    }
    throw new Error('not refused');
  };

  it('binds allowed values over the published ones and leaves the rest as published', () => {
    const out = viewerValues([region, year], base, { region: 'south' });
    expect(out).toEqual({ ...base, region: { type: 'text', value: 'south' } });
    expect(viewerValues([region, year], base, { YEAR: 2024 }).year).toEqual({ type: 'number', value: 2024 });
    expect(viewerValues([region, year], base, {})).toEqual(base);
  });

  it('refuses a value not allowed, and any input not on the dashboard, naming it', () => {
    expect(refusal({ region: 'west' })).toBe('Region: "west" is not one of the choices.');
    expect(refusal({ secret: 'other' })).toBe('This dashboard has no filter named "secret" to change.');
    expect(refusal({ 'region; drop': 'x' })).toContain('no filter named');
    // JSON's "__proto__" key never becomes a value someone inherits.
    const sneaky = parseValuesParam('{"__proto__":{"region":"west"}}');
    expect(viewerValues([region, year], base, sneaky)).toEqual(base);
  });

  it('binds what compiles to parameters, the value never in the text', () => {
    const out = viewerValues([region], base, { region: "x'; --" });
    const q = compileParameters('select * from t where region = {{region}}', 'postgres', out);
    expect(q.sql).toBe('select * from t where region = $1');
    expect(q.params).toEqual(["x'; --"]);
  });
});

describe('parseValuesParam', () => {
  it('reads a JSON object and refuses anything else readably', () => {
    expect(parseValuesParam(null)).toEqual({});
    expect(parseValuesParam('{"region":"south"}')).toEqual({ region: 'south' });
    expect(() => parseValuesParam('region=south')).toThrow(/not readable/);
    expect(() => parseValuesParam('["south"]')).toThrow(/not readable/);
    const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`i${i}`, 1]));
    expect(() => parseValuesParam(JSON.stringify(many))).toThrow(/not readable/);
  });
});

describe('boundKey', () => {
  it('depends only on referenced inputs, whatever the case or order', () => {
    const a: InputValues = { Region: { type: 'text', value: 'n' }, other: { type: 'number', value: 1 } };
    const b: InputValues = { other: { type: 'number', value: 2 }, region: { value: 'n', type: 'text' } };
    expect(boundKey(a, ['region'])).toBe(boundKey(b, ['REGION']));
    expect(boundKey(a, ['region', 'other'])).not.toBe(boundKey(b, ['region', 'other']));
    const range = (start: string): InputValues => ({ p: { type: 'date_range', start, end: '2024-12-31' } });
    expect(boundKey(range('2024-01-01'), ['p'])).not.toBe(boundKey(range('2024-01-02'), ['p']));
  });
});
