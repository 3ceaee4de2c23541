// The inputs a notebook has, as the SQL editor needs them: each input cell's name and widget, in notebook order.
// Read from the shared document, so it works before, and wherever, the input kind's UI is loaded.
import type * as Y from 'yjs';
import { orderedCells, parts } from '../document';
import type { InputShape } from '../sql/parameters';
import { readInputConfig, type Widget } from './config';
import { isInputCell } from './kind';

export type NotebookInput = { name: string; widget: Widget };

/** The notebook's named input cells, in order (an unnamed one cannot be referenced). */
export function notebookInputs(doc: Y.Doc): NotebookInput[] {
  return orderedCells(doc)
    .filter((c) => isInputCell(c) && c.name !== '')
    .map((c) => ({ name: c.name, widget: readInputConfig(c.config.toJSON()).widget }));
}

/** What checking references needs of an input (cells/sql/parameters.ts): a date range binds .start and .end. */
export const inputShape = (input: NotebookInput): InputShape => ({
  name: input.name,
  dateRange: input.widget === 'daterange'
});

/**
 * Calls `onChange` with the notebook's inputs now and whenever they change (a cell added, removed, renamed, its
 * kind or widget changed); typing in a cell's source or a run's record does not call it. Returns the unsubscribe.
 */
export function watchNotebookInputs(doc: Y.Doc, onChange: (inputs: NotebookInput[]) => void): () => void {
  const { order, cells } = parts(doc);
  let last = '';
  const read = () => {
    const inputs = notebookInputs(doc);
    const key = JSON.stringify(inputs);
    if (key === last) return;
    last = key;
    onChange(inputs);
  };
  const onCells = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    // path [] is the cells map, [id] a cell's keys, [id, 'config'] its settings; [id, 'source'] is typing.
    if (events.some((e) => e.path.length < 2 || e.path[1] === 'config')) read();
  };
  order.observe(read);
  cells.observeDeep(onCells);
  read();
  return () => {
    order.unobserve(read);
    cells.unobserveDeep(onCells);
  };
}
