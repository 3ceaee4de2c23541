// A cell kind is one folder plus its registry lines: a throwaway kind defined under tests/ (a tally), registered
// through the same registries as the built-in kinds, shows in the notebook's cell frame with its label and body,
// and the frame's kind menu switches a cell to it and back. Runs the real components in jsdom.
import { flushSync, tick } from 'svelte';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { insertCell, orderedCells } from '$cells/document';
import { CELL_KINDS, registerCellKind, type RegisteredKindName } from '$cells/registry';
import { cellUi, hasCellUi, registerCellUi } from '$cells/ui-registry';
import { tallyKind } from '../fixtures/tally-kind/kind';
import { ui as tallyUi } from '../fixtures/tally-kind/ui';
import { showNotebook, type Shown } from './show-notebook';

let TALLY: RegisteredKindName;
beforeAll(() => {
  TALLY = registerCellKind(tallyKind);
  registerCellUi(tallyUi);
});

type Mounted = Shown;
let mounted: Mounted | undefined;
afterEach(() => {
  mounted?.destroy();
  mounted = undefined;
});

const frames = (m: Mounted) => [...m.target.querySelectorAll<HTMLElement>('[data-testid="cell"]')];

describe('a cell kind defined outside cells/', () => {
  it('shows in the cell frame with its label, toolbar and body, and its body edits the shared cell', async () => {
    const doc = new Y.Doc();
    const id = insertCell(doc, { kind: TALLY, config: { count: 2 } }, 0);
    mounted = showNotebook(doc);

    const [frame] = frames(mounted);
    expect(frame?.dataset.kind).toBe('tally');
    expect(frame?.getAttribute('aria-label')).toBe('Tally cell 1 of 1');
    const select = frame!.querySelector<HTMLSelectElement>('select.kind')!;
    expect(select.value).toBe('tally');
    expect(select.selectedOptions[0]?.textContent).toBe('Tally');
    expect(frame!.querySelector('[data-testid="tally"]')?.textContent).toBe('Tally: 2');

    frame!.querySelector<HTMLButtonElement>('button:not(.btn)')!.click();
    flushSync();
    expect(orderedCells(doc)[0]!.config.get('count')).toBe(3);
    expect(frame!.querySelector('[data-testid="tally"]')?.textContent).toBe('Tally: 3');

    // What the notebook asks of a cell reaches the kind's body.
    const api = mounted.apis.get(id)!;
    expect(await api.report()).toEqual({ kind: 'text', html: '<p>Tally: 3</p>' });
    api.focusEditor();
    expect(document.activeElement?.textContent).toBe('+1');
  });

  it('is offered by the kind menu, which swaps a cell between a built-in body and its body', async () => {
    const doc = new Y.Doc();
    insertCell(doc, { kind: 'text', source: '# Findings' }, 0);
    mounted = showNotebook(doc);
    const frame = () => frames(mounted!)[0]!;
    // A text cell with text shows it rendered (cells/text/ui), not the tally.
    expect(frame().querySelector('h1')?.textContent).toBe('Findings');
    expect(frame().querySelector('[data-testid="tally"]')).toBeNull();

    const select = frame().querySelector<HTMLSelectElement>('select.kind')!;
    expect([...select.options].map((o) => o.value)).toEqual([...CELL_KINDS.map((k) => k.kind), 'tally']);
    select.value = 'tally';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    await tick();
    expect(frame().dataset.kind).toBe('tally');
    expect(frame().querySelector('[data-testid="tally"]')?.textContent).toBe('Tally: 0');
    expect(frame().querySelector('h1')).toBeNull();
  });

  it('is not available to viewers for editing, like any body that reads the context', () => {
    const doc = new Y.Doc();
    insertCell(doc, { kind: TALLY }, 0);
    mounted = showNotebook(doc, { readOnly: true });
    const frame = frames(mounted)[0]!;
    // Viewers get the kind as text, not the menu, and the body sees readOnly.
    expect(frame.querySelector('select.kind')).toBeNull();
    expect(frame.querySelector('.kind-label')?.textContent).toBe('Tally');
    expect(frame.querySelector<HTMLButtonElement>('button:not(.btn)')?.disabled).toBe(true);
  });
});

describe('the UI registry', () => {
  it('finds a UI in cells/<kind>/ui/ for every built-in kind, with no line per kind', () => {
    for (const k of CELL_KINDS) {
      expect(hasCellUi(k.kind), k.kind).toBe(true);
      expect(cellUi(k.kind).kind).toBe(k.kind);
    }
  });

  it('refuses a second UI for a kind', () => {
    expect(() => registerCellUi({ ...tallyUi })).toThrow(/has a UI already/);
    expect(() => registerCellKind(tallyKind)).toThrow(/registered already/);
  });
});
