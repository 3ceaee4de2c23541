// What the SQL editor shows about `{{name}}` references: the notebook's inputs read from its document (live), the
// problems underlined with the run's own messages, the bound references marked, and what `{{` completes to.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { insertCell, orderedCells, parts, renameCell } from '../../cells/document';
import { addInput } from '../fixtures/input-cells';
import { notebookInputs, watchNotebookInputs, type NotebookInput } from '../../cells/input/notebook-inputs';
import { compileParameters, ParameterError } from '../../cells/sql/parameters';
import {
  completeInput,
  completionText,
  referenceMarks,
  type InputContext
} from '../../src/lib/editor/input-references';

const inputs: NotebookInput[] = [
  { name: 'region', widget: 'dropdown' },
  { name: 'period', widget: 'daterange' },
  { name: 'n', widget: 'number' }
];
const duckdb: InputContext = { inputs, dialect: 'duckdb' };

describe('notebookInputs', () => {
  it('lists the named input cells with their widgets, in order, and nothing else', () => {
    const doc = new Y.Doc();
    insertCell(doc, { kind: 'sql', source: 'select 1', name: 'region_sql' }, 0);
    addInput(doc, 'region', 'dropdown');
    addInput(doc, 'period', 'daterange');
    addInput(doc, 'odd', 'no-such-widget'); // any client can write the config: a bad widget reads as text
    addInput(doc, '', 'number'); // an input without a name cannot be referenced
    expect(notebookInputs(doc)).toEqual([
      { name: 'region', widget: 'dropdown' },
      { name: 'period', widget: 'daterange' },
      { name: 'odd', widget: 'text' }
    ]);
  });

  it('tells a watcher when an input is added, renamed, changes widget or goes; not when SQL is typed', () => {
    const doc = new Y.Doc();
    const sqlId = insertCell(doc, { kind: 'sql', source: 'select ', name: 'q' }, 0);
    const seen: NotebookInput[][] = [];
    const stop = watchNotebookInputs(doc, (now) => seen.push(now));
    expect(seen).toEqual([[]]);

    const id = addInput(doc, 'region', 'text');
    expect(seen.at(-1)).toEqual([{ name: 'region', widget: 'text' }]);
    renameCell(doc, id, 'area');
    expect(seen.at(-1)).toEqual([{ name: 'area', widget: 'text' }]);
    (parts(doc).cells.get(id)!.get('config') as Y.Map<unknown>).set('widget', 'daterange');
    expect(seen.at(-1)).toEqual([{ name: 'area', widget: 'daterange' }]);
    const count = seen.length;
    orderedCells(doc)
      .find((c) => c.id === sqlId)!
      .source.insert(7, '{{area.start}}');
    expect(seen).toHaveLength(count);

    parts(doc).cells.delete(id);
    expect(seen.at(-1)).toEqual([]);
    stop();
    addInput(doc, 'late', 'text');
    expect(seen.at(-1)).toEqual([]);
  });
});

describe('referenceMarks', () => {
  /** The underlined text and its message, and the marked (bound) text. */
  const marks = (sql: string, context = duckdb) => {
    const m = referenceMarks(sql, context);
    return {
      problems: m.problems.map((p) => [sql.slice(p.from, p.to), p.message]),
      bound: m.bound.map((b) => sql.slice(b.from, b.to))
    };
  };

  it('underlines an unknown name with the message a run gives, and marks the known ones', () => {
    const sql = 'select {{regoin}}, {{ region }}, {{period.end}}\nfrom t where n > {{n}}';
    const m = marks(sql);
    expect(m.problems).toEqual([['{{regoin}}', 'There is no input named regoin — did you mean region?']]);
    expect(m.bound).toEqual(['{{ region }}', '{{period.end}}', '{{n}}']);
    // The same words as a run over these inputs' values.
    let thrown: unknown;
    try {
      compileParameters(sql, 'duckdb', {
        region: { type: 'text', value: 'West' },
        period: { type: 'date_range', start: null, end: null },
        n: { type: 'number', value: 3 }
      });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ParameterError);
    expect((thrown as ParameterError).message).toBe(m.problems[0]![1]);
  });

  it('underlines a wrong part, a known input in quotes, and a placeholder beside references', () => {
    const m = marks("select {{period}}, {{region.start}}, '{{n}}', ?, {{region}}");
    expect(m.problems.map(([text]) => text)).toEqual(['{{n}}', '?', '{{period}}', '{{region.start}}']);
    expect(m.problems[2]![1]).toBe(
      'period is a date range, two dates: write {{period.start}} and {{period.end}}.'
    );
    expect(m.problems[0]![1]).toContain("'…' || {{n}} || '…'");
    expect(m.bound).toEqual(['{{region}}']);
  });

  it('reads the text in the dialect of where it runs', () => {
    const sql = "select data ? 'k', {{region}}";
    expect(marks(sql, { inputs, dialect: 'postgres' }).problems).toEqual([]);
    expect(marks(sql).problems.map(([text]) => text)).toEqual(['?']);
    expect(marks('select "{{n}}"', { inputs, dialect: 'mysql' }).problems.map(([t]) => t)).toEqual(['{{n}}']);
    expect(marks('select "{{n}}"').problems).toEqual([]); // a quoted name in DuckDB, not a string
  });

  it('without inputs, every reference is unknown; unknown names in strings and comments are left alone', () => {
    const m = marks("select {{region}} -- {{x}}\n, '{{y}}'", { inputs: [], dialect: 'duckdb' });
    expect(m.problems).toEqual([['{{region}}', 'There is no input named region.']]);
    expect(m.bound).toEqual([]);
  });
});

describe('completeInput', () => {
  const labels = (before: string, context = duckdb) => {
    const c = completeInput(before, context);
    return c && { from: c.from, labels: c.options.map((o) => o.label) };
  };

  it('offers every input after {{, a date range as its two parts', () => {
    expect(labels('select {{')).toEqual({ from: 9, labels: ['region', 'period.start', 'period.end', 'n'] });
    expect(labels('select {{ reg')).toEqual({
      from: 10,
      labels: ['region', 'period.start', 'period.end', 'n']
    });
    expect(completeInput('select {{', duckdb)!.options[0]!.detail).toBe('dropdown input');
  });

  it("offers start and end after a date range's name and a dot, and nothing after another input's", () => {
    expect(labels('where d >= {{period.')).toEqual({ from: 20, labels: ['start', 'end'] });
    expect(labels('where d >= {{Period.st')).toEqual({ from: 20, labels: ['start', 'end'] });
    expect(labels('where r = {{region.')).toBeNull();
  });

  it('offers nothing without {{, inside strings or comments, or without inputs', () => {
    expect(labels('select reg')).toBeNull();
    expect(labels("select '{{")).toBeNull();
    expect(labels('select 1 -- {{')).toBeNull();
    expect(labels('select /* {{')).toBeNull();
    expect(labels('select {{', { inputs: [], dialect: 'duckdb' })).toBeNull();
    // A string closed before the braces does not count.
    expect(labels("select 'a', {{")?.labels).toContain('region');
  });

  it('closes the braces unless they are already there', () => {
    expect(completionText('region', '}}')).toBe('region');
    expect(completionText('region', ' }} from t')).toBe('region');
    expect(completionText('region', ' from t')).toBe('region}}');
  });
});
