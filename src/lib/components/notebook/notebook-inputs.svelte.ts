// The notebook's input cells as SQL sees them: each input's current value, the typed value a query binds for
// `{{name}}`, and the hash a run records so a changed value makes the cells that bind it stale. Editors' values
// live in the shared document; a viewer's live only in this browser (`overrides`), so nothing they choose
// reaches anyone else. Listeners hear about this person's own changes only, which are what re-run queries.
import { SvelteMap } from 'svelte/reactivity';
import type { Cell } from '$cells/document';
import { readInputConfig, type InputConfig, type Option } from '$cells/input/config';
import { isInputCell } from '$cells/input/kind';
import { boundValue, checkValue, inputValue, shownValues, type WidgetValue } from '$cells/input/value';
import type { InputValues } from '$cells/sql/parameters';
import { inputReferences } from '$cells/sql/references';
import { hashSource } from '$cells/sql/run-record';
import type { InputStates } from '$cells/sql/staleness';
import type { NotebookView } from '$lib/collab/notebook-view.svelte';

/** The origin of a person's own change of an input's value in the shared document. */
export const INPUT_ORIGIN = 'input-value';

export type InputCellState = { id: string; name: string; config: InputConfig };

export class NotebookInputs {
  /** A viewer's own values, by cell id: never written to the document. */
  readonly overrides = new SvelteMap<string, WidgetValue | null>();
  /** Choices of dropdowns and multi-selects whose options come from a result, by cell id (their bodies set them). */
  readonly columnChoices = new SvelteMap<string, Option[]>();
  // Callbacks, not state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly listeners = new Set<(cellId: string) => void>();

  /** Input cells in notebook order, their config read (and checked) from the document. */
  readonly cells = $derived.by((): InputCellState[] => {
    void this.version(); // any change to the document re-reads the configs
    return this.view.cells
      .filter(isInputCell)
      .map((c) => ({ id: c.id, name: c.name, config: readInputConfig(c.config.toJSON()) }));
  });

  /** Each named input's shared value, hashed as runs record it (by lower-cased name). */
  readonly states: InputStates = $derived.by(() => {
    // Built afresh inside a $derived, never mutated after.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const out = new Map<string, { name: string; hash: string }>();
    for (const c of this.cells) {
      if (!c.name) continue;
      const bound = boundValue(c.config, inputValue(c.config), this.choices(c));
      out.set(c.name.toLowerCase(), { name: c.name, hash: hashSource(JSON.stringify(bound)) });
    }
    return out;
  });

  constructor(
    private readonly view: NotebookView,
    private readonly version: () => number
  ) {}

  /** The choices a dropdown or multi-select offers now. */
  choices(cell: InputCellState): Option[] {
    const options = cell.config.options;
    return options.from === 'list' ? options.values : (this.columnChoices.get(cell.id) ?? []);
  }

  /** What text cells show for `{{name}}`: the values as this person sees them. */
  readonly shown = $derived.by(() =>
    shownValues(this.cells.map((c) => ({ name: c.name, value: this.value(c) })))
  );

  /** The value this person sees: their own as a viewer, else the shared one. */
  value(cell: InputCellState): WidgetValue | null {
    return this.overrides.has(cell.id) ? this.overrides.get(cell.id)! : inputValue(cell.config);
  }

  /** What `sql` binds, as this person sees the inputs. Names it references that no input has are left out (the
   * compiler reports them). */
  bound(sql: string): InputValues {
    const out: InputValues = {};
    if (!sql.includes('{{')) return out;
    // A throwaway lookup inside one call, not state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const wanted = new Set(inputReferences(sql));
    for (const c of this.cells)
      if (c.name && wanted.has(c.name.toLowerCase()))
        out[c.name] = boundValue(c.config, this.value(c), this.choices(c));
    return out;
  }

  /**
   * This person's change of an input: checked against its widget, then written to the document (editors) or
   * kept in this browser (viewers). Returns the reason a value is refused, or null.
   */
  set(cell: Cell, raw: unknown, readOnly: boolean): string | null {
    const config = readInputConfig(cell.config.toJSON());
    const checked = raw === null ? ({ ok: true, value: null } as const) : checkValue(config, raw);
    if (!checked.ok) return checked.message;
    if (readOnly) this.overrides.set(cell.id, checked.value);
    else
      cell.config.doc?.transact(() => {
        if (checked.value === null) cell.config.delete('value');
        else cell.config.set('value', checked.value);
      }, INPUT_ORIGIN);
    for (const listener of this.listeners) listener(cell.id);
    return null;
  }

  /** Sets the input cell `id` as `set` does (a chart's click sets an input it does not hold). */
  setById(id: string, raw: unknown, readOnly: boolean): string | null {
    const cell = this.view.cells.find((c) => c.id === id && isInputCell(c));
    return cell ? this.set(cell, raw, readOnly) : 'That input is no longer in the notebook.';
  }

  /** Hears this person's own changes (not co-editors'); returns the unsubscribe. */
  onChange(listener: (cellId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
