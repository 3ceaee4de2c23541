// What the alert form offers and the server lets alerts watch, from a published dashboard: number cards first, then
// tables, each result once; all the columns shown may be watched, and the form offers those that show numbers. And
// the numbers the form sends: as typed (grouped like the dashboard shows them), never an empty field read as 0.
import { describe, expect, it } from 'vitest';
import type { PublishedDashboard, PublishedItem } from '../../cells/published';
import { AlertInputSchema } from '../../server/deliveries/alert-rule';
import { alertTargets, looksNumeric } from '../../server/deliveries/alert-targets';

const box = { x: 0, w: 6, h: 2 };
const table = (y: number, name: string, columns: string[], rows: string[][]): PublishedItem => ({
  ...box,
  y,
  cellId: `t-${name}-${y}`,
  view: 'table',
  name,
  sql: null,
  columns,
  rows,
  total: rows.length
});
const number = (y: number, name: string, label: string, value: string): PublishedItem => ({
  ...box,
  y,
  cellId: `n-${name}-${y}`,
  view: 'number',
  name,
  sql: null,
  label,
  value,
  caption: ''
});
const board = (items: PublishedItem[]): PublishedDashboard => ({
  title: 'B',
  description: '',
  items,
  builtAt: '2026-11-30T08:00:00.000Z'
});

describe('alert targets', () => {
  it('lists number cards first, then tables, with the columns that show numbers', () => {
    const targets = alertTargets(
      board([
        table(
          0,
          'by_region',
          ['region', 'total', 'share', 'note'],
          [
            ['north', '1,500', '0.25', ''],
            ['south', '-20', '1e3', ''],
            ['east', '7', '', '']
          ]
        ),
        { ...box, y: 1, cellId: 'txt', view: 'text', name: '', html: '<p>hi</p>' },
        number(2, 'grand', 'revenue', '1,234,567.5'),
        number(3, 'empty', 'empty', '—'),
        { ...number(4, 'broken', 'x', '1'), error: 'The query failed.' }
      ])
    );
    expect(targets).toEqual([
      { cell: 'grand', views: ['number'], shown: ['revenue'], numeric: ['revenue'] },
      { cell: 'empty', views: ['number'], shown: ['empty'], numeric: [] },
      {
        cell: 'by_region',
        views: ['table'],
        shown: ['region', 'total', 'share', 'note'],
        numeric: ['total', 'share']
      }
    ]);
  });

  it('counts a result on two cards once, numeric only where every card shows numbers', () => {
    const targets = alertTargets(
      board([
        table(0, 'Sales', ['amount', 'region'], [['12', '7']]),
        number(1, 'sales', 'amount', '12'),
        table(2, 'sales', ['amount', 'region'], [['12', 'west']])
      ])
    );
    expect(targets).toEqual([
      { cell: 'sales', views: ['number', 'table'], shown: ['amount', 'region'], numeric: ['amount'] }
    ]);
  });

  it('reads numbers as the dashboard formats them', () => {
    for (const t of ['0', '-3', '+4', '1,234', '1,234,567.25', '.5', '2.', '1e6', '-1.5E-3', ' 42 '])
      expect(looksNumeric(t), t).toBe(true);
    for (const t of [
      '',
      ' ',
      '—',
      'north',
      '1,23',
      '12,3456',
      '0x10',
      'Infinity',
      'NaN',
      '1 000',
      '2024-01-02'
    ])
      expect(looksNumeric(t), t).toBe(false);
  });
});

describe('an alert’s number', () => {
  const threshold = (value: unknown) =>
    AlertInputSchema.safeParse({ rule: 'threshold', cell: 'a', column: 'b', op: '>', value });
  const percent = (p: unknown) =>
    AlertInputSchema.safeParse({ rule: 'change', cell: 'a', column: 'b', percent: p });
  it('is read as typed, grouped or not', () => {
    expect(threshold('1,234.5').data).toMatchObject({ value: 1234.5 });
    expect(threshold(' -7 ').data).toMatchObject({ value: -7 });
    expect(threshold(0).data).toMatchObject({ value: 0 });
    expect(percent('12.5').data).toMatchObject({ percent: 12.5 });
  });
  it('is refused in words when missing or not a number, rather than read as 0 or 1', () => {
    for (const v of ['', '  ', 'lots', null, undefined, true, '1,2', Infinity]) {
      const r = threshold(v);
      expect(r.success, String(v)).toBe(false);
      expect(r.error!.issues[0]!.message).toBe('Give a number to compare with.');
    }
    for (const p of ['', '0', '-5', 'x'])
      expect(percent(p).error!.issues[0]!.message, p).toBe('Give a percentage above 0.');
  });
});
