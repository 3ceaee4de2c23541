// The input cell's body in the real cell frame and notebook context: its control writes the checked value to
// the shared document, refuses a wrong one with its message, keeps a viewer's value in their browser, and a
// changed value makes the SQL cells that bind it stale.
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { insertCell, orderedCells } from '$cells/document';
import { hashSource } from '$cells/sql/run-record';
import { inputMark } from '$cells/sql/staleness';
import { showNotebook, type Shown } from './show-notebook';

type Mounted = Shown;
let mounted: Mounted | undefined;
afterEach(() => {
  mounted?.destroy();
  mounted = undefined;
});

function type(input: HTMLInputElement | HTMLSelectElement, value: string, event = 'input') {
  input.value = value;
  input.dispatchEvent(new Event(event, { bubbles: true }));
  flushSync();
}

const config = (doc: Y.Doc) => orderedCells(doc)[0]!.config;

describe('the input cell', () => {
  it('writes a checked number to the shared config and refuses one out of bounds with its message', () => {
    const doc = new Y.Doc();
    insertCell(
      doc,
      { kind: 'input', name: 'limit', config: { widget: 'number', label: 'Limit', max: 10 } },
      0
    );
    mounted = showNotebook(doc);
    const control = mounted.target.querySelector<HTMLInputElement>('input[type="number"][id$="-control"]')!;
    expect(mounted.target.querySelector(`label[for="${control.id}"]`)?.textContent).toBe('Limit');

    type(control, '5');
    expect(config(doc).get('value')).toBe(5);
    expect(mounted.target.querySelector('[data-testid="input-error"]')).toBeNull();

    type(control, '50');
    expect(mounted.target.querySelector('[data-testid="input-error"]')?.textContent).toBe(
      'The most allowed is 10.'
    );
    expect(config(doc).get('value')).toBe(5);
  });

  it('shows its value in text cells that name it, following each change', () => {
    const doc = new Y.Doc();
    insertCell(doc, { kind: 'input', name: 'limit', config: { widget: 'number', value: 3 } }, 0);
    insertCell(doc, { kind: 'text', source: 'The top {{limit}} rows; <b>{{nobody}}</b>' }, 1);
    mounted = showNotebook(doc);
    const text = () => mounted!.target.querySelector('[data-testid="markdown"]')?.textContent ?? '';
    expect(text()).toContain('The top 3 rows');
    type(mounted.target.querySelector<HTMLInputElement>('input[type="number"][id$="-control"]')!, '7');
    expect(text()).toContain('The top 7 rows');
    expect(text()).toContain('{{nobody}}');
  });

  it('picks a dropdown choice from its typed list, and refuses a value of the wrong type', () => {
    const doc = new Y.Doc();
    const options = { from: 'list', values: ['East', 'West'] };
    insertCell(doc, { kind: 'input', name: 'region', config: { widget: 'dropdown', options } }, 0);
    mounted = showNotebook(doc);
    const select = mounted.target.querySelector<HTMLSelectElement>('select[id$="-control"]')!;
    expect([...select.options].map((o) => o.textContent)).toEqual(['—', 'East', 'West']);
    type(select, '1', 'change');
    expect(config(doc).get('value')).toBe('West');
    expect(mounted.runs.inputs.bound('select {{region}}')).toEqual({
      region: { type: 'text', value: 'West' }
    });

    // The document is anyone's to write: a wrong value from elsewhere reads as unset, and set() refuses one.
    const cell = orderedCells(doc)[0]!;
    expect(mounted.runs.inputs.set(cell, { start: 'x' }, false)).toBe('Not a text or a choice.');
    expect(config(doc).get('value')).toBe('West');
  });

  it("keeps a viewer's value in their browser, not in the document", () => {
    const doc = new Y.Doc();
    insertCell(doc, { kind: 'input', name: 'flag', config: { widget: 'checkbox', value: false } }, 0);
    mounted = showNotebook(doc, { readOnly: true });
    expect(mounted.target.querySelector('details')).toBeNull(); // no settings for viewers
    const box = mounted.target.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    box.click();
    flushSync();
    expect(config(doc).get('value')).toBe(false);
    expect(box.checked).toBe(true);
    expect(mounted.runs.inputs.bound('select {{flag}}')).toEqual({ flag: { type: 'boolean', value: true } });
  });

  it('makes a SQL cell that binds it stale when its value changes, and not before', () => {
    const doc = new Y.Doc();
    insertCell(doc, { kind: 'input', name: 'region', config: { widget: 'text', value: 'East' } }, 0);
    const sql = 'select * from t where r = {{region}}';
    const sqlId = insertCell(doc, { kind: 'sql', name: 'q', source: sql }, 1);
    mounted = showNotebook(doc);
    const runs = mounted.runs;
    const recorded = runs.context.inputs(sqlId, sql);
    const east = inputMark(hashSource(JSON.stringify({ type: 'text', value: 'East' })));
    expect(recorded).toEqual({ region: east });
    const run = orderedCells(doc)[1]!.run;
    doc.transact(() => {
      for (const [k, v] of Object.entries({
        status: 'done',
        runId: 'r1',
        sourceHash: hashSource(sql),
        inputs: recorded
      }))
        run.set(k, v);
    });
    flushSync();
    expect(runs.stale.has(sqlId)).toBe(false);
    expect(runs.affectedByInputs()).toEqual([]);

    const control = mounted.target.querySelector<HTMLInputElement>('input[type="text"][id$="-control"]')!;
    type(control, 'West');
    expect(config(doc).get('value')).toBe('West');
    expect(runs.stale.get(sqlId)).toBe('region changed since this ran.');
    expect(runs.affectedByInputs()).toEqual([sqlId]);
  });
});
