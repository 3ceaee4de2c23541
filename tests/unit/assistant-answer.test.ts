// The cells of an assistant's answer: each kind's shape, how it is checked against what the notebook knows, and how
// it becomes a notebook cell. The whole request (streaming, renames across cells) is tests/integration/assistant.
import { describe, expect, it } from 'vitest';
import { answerOutput, toNewCell } from '../../cells/prompt/answer';
import type { SqlAnswer } from '../../cells/sql/assistant';
import { checkCell, type Known } from '../../server/ai/answer';

const knows = (): Known => ({
  results: new Map<string, string[] | null>([
    ['totals', ['region', 'revenue']],
    ['unrun', null]
  ]),
  engines: new Set(['local', 'conn_1'])
});

const error = (raw: unknown, known = knows()) => {
  const checked = checkCell(raw, known);
  return checked.ok ? null : checked.error;
};

describe('checking an answer’s cell', () => {
  it('names a cell of a kind it does not know, or one that is not an object', () => {
    expect(error({ kind: 'python', code: 'import os' })).toBe('a cell of unknown kind "python"');
    expect(error({ kind: 'prompt', source: 'x' })).toBe('a cell of unknown kind "prompt"');
    expect(error('text')).toBe('a cell of unknown kind "?"');
    expect(error({ kind: 'x'.repeat(100) })).toBe(`a cell of unknown kind "${'x'.repeat(40)}"`);
  });

  it('says where a cell of a known kind does not fit its shape', () => {
    expect(error({ kind: 'sql', name: '1st', sql: 'select 1' })).toMatch(
      /^a sql cell that does not fit the expected shape \(name\): /
    );
    expect(error({ kind: 'chart', source: 'totals', mark: 'pie' })).toMatch(
      /^a chart cell that does not fit the expected shape \(mark\): /
    );
    expect(error({ kind: 'text' })).toMatch(
      /^a text cell that does not fit the expected shape \(markdown\): /
    );
  });

  it('SQL: runs on a known engine, defaults to local, and its result becomes known to later cells', () => {
    const known = knows();
    expect(error({ kind: 'sql', name: 'x', engine: 'warehouse', sql: 'select 1' }, known)).toBe(
      'SQL for an unknown engine "warehouse"'
    );
    const checked = checkCell({ kind: 'sql', name: 'by_month', sql: 'select 1 as m', columns: ['m'] }, known);
    expect(checked).toEqual({
      ok: true,
      cell: { kind: 'sql', name: 'by_month', engine: 'local', sql: 'select 1 as m', columns: ['m'] }
    });
    expect(known.results.get('by_month')).toEqual(['m']);
    checkCell({ kind: 'sql', name: 'later', engine: 'conn_1', sql: 'select 1' }, known);
    expect(known.results.get('later')).toBeNull();
  });

  it('chart: of a known result, over columns it has (any column when they are not known yet)', () => {
    expect(error({ kind: 'chart', source: 'nope', mark: 'bar' })).toBe(
      'a chart of "nope", which is not a result in this notebook'
    );
    expect(
      error({ kind: 'chart', source: 'totals', mark: 'bar', color: { field: 'profit', type: 'nominal' } })
    ).toBe('a chart of totals over a column it does not have: "profit"');
    expect(
      error({ kind: 'chart', source: 'totals', mark: 'bar', x: { field: 'region', type: 'nominal' } })
    ).toBeNull();
    expect(
      error({ kind: 'chart', source: 'unrun', mark: 'bar', x: { field: 'anything', type: 'nominal' } })
    ).toBeNull();
  });

  it('text: images become links, so nothing loads by itself', () => {
    const checked = checkCell(
      { kind: 'text', markdown: 'See ![a](https://t.example/p.png?d=1) and <IMG src=x onerror=y>.' },
      knows()
    );
    expect(checked).toEqual({
      ok: true,
      cell: { kind: 'text', markdown: 'See [a](https://t.example/p.png?d=1) and .' }
    });
  });
});

describe('an answer’s cell as a notebook cell', () => {
  it('SQL keeps its name, query and engine', () => {
    expect(
      toNewCell({ kind: 'sql', name: 'by_month', engine: 'conn_1', sql: 'select 1', columns: ['x'] })
    ).toEqual({ kind: 'sql', name: 'by_month', source: 'select 1', config: { engine: 'conn_1' } });
  });

  it('a chart is a builder chart of the fields it sets', () => {
    expect(
      toNewCell({
        kind: 'chart',
        source: 'totals',
        mark: 'bar',
        title: undefined,
        x: { field: 'region', type: 'nominal' }
      })
    ).toEqual({
      kind: 'chart',
      config: { mode: 'builder', source: 'totals', mark: 'bar', x: { field: 'region', type: 'nominal' } }
    });
  });

  it('text is its markdown', () => {
    expect(toNewCell({ kind: 'text', markdown: '# Findings' })).toEqual({
      kind: 'text',
      source: '# Findings'
    });
  });
});

describe('results renamed within an answer', () => {
  const sql: SqlAnswer = { kind: 'sql', name: 'orders', engine: 'local', sql: 'select 1', columns: [] };
  const renamed = new Map([['orders', 'orders_2']]);

  it('a SQL cell names a result, and its name can be changed', () => {
    const result = answerOutput('sql').result;
    expect(result?.name(sql)).toBe('orders');
    expect(result?.rename(sql, 'orders_2')).toEqual({ ...sql, name: 'orders_2' });
    expect(answerOutput('chart').result).toBeUndefined();
    expect(answerOutput('text').result).toBeUndefined();
  });

  it('later SQL reads the new name: whole words in any case, not columns or quoted names', () => {
    const follow = answerOutput('sql').followRenames!;
    const query =
      'select o.x, orders_id, "orders" from Orders o join s.orders on true union select 1 from orders';
    expect(follow({ ...sql, sql: query }, renamed).sql).toBe(
      'select o.x, orders_id, "orders" from orders_2 o join s.orders on true union select 1 from orders_2'
    );
  });

  it('a chart of the model’s name reads the new one, before it is checked', () => {
    const known = knows();
    known.results.set('orders_2', ['x']);
    const chart = { kind: 'chart', source: 'orders', mark: 'bar', x: { field: 'x', type: 'nominal' } };
    expect(checkCell(chart, known, renamed)).toMatchObject({ ok: true, cell: { source: 'orders_2' } });
    expect(checkCell(chart, known)).toEqual({
      ok: false,
      error: 'a chart of "orders", which is not a result in this notebook'
    });
    expect(checkCell({ kind: 'text', markdown: 'orders' }, known, renamed)).toEqual({
      ok: true,
      cell: { kind: 'text', markdown: 'orders' }
    });
  });
});
