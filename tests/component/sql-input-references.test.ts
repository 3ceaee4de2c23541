// A SQL cell's editor knows the notebook's inputs: a `{{name}}` that no input has is underlined with the run's own
// message ("did you mean region?"), a bound one is marked and not underlined, both follow the notebook as inputs
// come and go, and `{{` completes to the inputs' names. The real cell frame, SQL body and CodeMirror, in jsdom.
import { acceptCompletion, currentCompletions, startCompletion } from '@codemirror/autocomplete';
import { forEachDiagnostic } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import { flushSync } from 'svelte';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { insertCell, renameCell } from '$cells/document';
import { addInput } from '../fixtures/input-cells';
import { showNotebook } from './show-notebook';

beforeAll(() => {
  // CodeEditor loads CodeMirror when the browser is idle; jsdom has no idle callbacks.
  globalThis.requestIdleCallback ??= (cb: IdleRequestCallback) =>
    setTimeout(() => cb({ didTimeout: false, timeRemaining: () => 50 }), 0) as unknown as number;
  globalThis.cancelIdleCallback ??= (id: number) => clearTimeout(id);
  // CodeMirror measures text; jsdom lays nothing out.
  Range.prototype.getClientRects ??= () => [] as unknown as DOMRectList;
  Range.prototype.getBoundingClientRect ??= () => new DOMRect();
});

let destroy: (() => void) | undefined;
afterEach(() => {
  destroy?.();
  destroy = undefined;
});

/** The notebook's cells in cell frames, in a notebook context made of the notebook's own classes. */
function show(doc: Y.Doc): HTMLElement {
  const shown = showNotebook(doc);
  destroy = shown.destroy;
  return shown.target;
}

/** The SQL cell's CodeMirror view, once it has loaded. */
async function sqlEditor(target: HTMLElement): Promise<EditorView> {
  const frame = () => target.querySelector<HTMLElement>('[data-testid="cell"][data-kind="sql"]');
  await vi.waitFor(() => expect(frame()?.querySelector('.cm-editor')).not.toBeNull(), { timeout: 10_000 });
  return EditorView.findFromDOM(frame()!.querySelector<HTMLElement>('.cm-editor')!)!;
}

/** Types `text` at the end, as a keystroke does. */
function type(view: EditorView, text: string) {
  const at = view.state.doc.length;
  view.dispatch({
    changes: { from: at, insert: text },
    selection: { anchor: at + text.length },
    userEvent: 'input.type'
  });
}

/** The underlined text and its tooltip's message. */
function underlined(view: EditorView): [string, string][] {
  const out: [string, string][] = [];
  forEachDiagnostic(view.state, (d, from, to) => out.push([view.state.sliceDoc(from, to), d.message]));
  return out;
}

/** What the editor shows: underlined text (lint marks) and marked, bound references. */
const shown = (view: EditorView, selector: string) =>
  [...view.contentDOM.querySelectorAll(selector)].map((el) => el.textContent);

describe('the SQL editor and the notebook’s inputs', () => {
  it('underlines an unknown {{name}} with "did you mean", marks a bound one, and follows renames', async () => {
    const doc = new Y.Doc();
    const regionId = addInput(doc, 'region', 'dropdown');
    insertCell(doc, { kind: 'sql', source: '', name: 'sales' }, 1);
    const target = show(doc);
    const view = await sqlEditor(target);

    type(view, 'select {{regoin}}, {{region}} from t');
    await vi.waitFor(() =>
      expect(underlined(view)).toEqual([
        ['{{regoin}}', 'There is no input named regoin — did you mean region?']
      ])
    );
    expect(shown(view, '.cm-lintRange-error')).toEqual(['{{regoin}}']);
    expect(shown(view, '.cm-input-ref')).toEqual(['{{region}}']);
    expect(view.contentDOM.querySelector('.cm-input-ref')?.getAttribute('title')).toBe(
      'Bound to the input region'
    );

    // The input is renamed: the query's reference to it follows (the rename rewrites it), the typo stays one.
    renameCell(doc, regionId, 'regions');
    flushSync();
    await vi.waitFor(() => expect(shown(view, '.cm-input-ref')).toEqual(['{{regions}}']));
    expect(underlined(view).map(([text]) => text)).toEqual(['{{regoin}}']);
    expect(underlined(view)[0]![1]).toMatch(/^There is no input named regoin/);

    // An input of the typo's name arrives, a date range: that reference now needs a part.
    addInput(doc, 'regoin', 'daterange');
    flushSync();
    await vi.waitFor(() =>
      expect(underlined(view)).toEqual([
        ['{{regoin}}', 'regoin is a date range, two dates: write {{regoin.start}} and {{regoin.end}}.']
      ])
    );
  });

  it('offers the inputs after {{, and a date range’s parts after its name', async () => {
    const doc = new Y.Doc();
    addInput(doc, 'region', 'text');
    addInput(doc, 'period', 'daterange');
    insertCell(doc, { kind: 'sql', source: '', name: 'sales' }, 2);
    const view = await sqlEditor(show(doc));

    type(view, 'select * from t where r = {{');
    startCompletion(view);
    // In notebook order, above the SQL language's own words.
    await vi.waitFor(() =>
      expect(
        currentCompletions(view.state)
          .slice(0, 3)
          .map((c) => c.label)
      ).toEqual(['region', 'period.start', 'period.end'])
    );

    // Choosing one closes the braces; the reference is then bound, not underlined.
    await vi.waitFor(() => expect(acceptCompletion(view)).toBe(true)); // once the popup takes keys
    expect(view.state.doc.toString()).toBe('select * from t where r = {{region}}');
    await vi.waitFor(() => expect(shown(view, '.cm-input-ref')).toEqual(['{{region}}']));
    expect(underlined(view)).toEqual([]);

    type(view, ' and d > {{period.');
    startCompletion(view);
    await vi.waitFor(() =>
      expect(currentCompletions(view.state).map((c) => c.label)).toEqual(['start', 'end'])
    );
    await vi.waitFor(() => expect(acceptCompletion(view)).toBe(true)); // once the popup takes keys
    expect(view.state.doc.toString()).toBe('select * from t where r = {{region}} and d > {{period.start}}');
  });
});
