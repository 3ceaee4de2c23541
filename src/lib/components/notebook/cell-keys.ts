// Command mode: the keys of a selected cell whose editor is not focused, as the keymap names them, carried out on
// the list of cells.
import { setCellKind } from '$cells/document';
import { LOCAL } from '$lib/collab/session.svelte';
import { commandFor, type CommandId } from '$lib/keys/keymap';
import type { CellEditing } from './cell-editing';

/** The key handler of the cells; it remembers the key before, for "d d". */
export function cellKeys(editing: CellEditing): (e: KeyboardEvent, id: string) => void {
  const { view, session, step, focus, add, remove, move, advance } = editing;
  let lastKey = { key: '', at: 0 };
  return (e, id) => {
    const i = editing.indexOf(id);
    const twice = lastKey.key === e.key && Date.now() - lastKey.at < 600;
    lastKey = { key: e.key, at: Date.now() };
    const command = commandFor(e, { canWrite: editing.canWrite, twice });
    if (command === null) return;
    e.preventDefault();
    if (command === 'pending') return;
    if (command === 'delete') lastKey = { key: '', at: 0 };
    const select = (cell: { id: string } | undefined) => cell && void focus(cell.id, 'cell');
    const actions: Partial<Record<CommandId, () => void>> = {
      'run-and-advance': () => advance(id),
      edit: () => void focus(id, 'editor'),
      'move-up': () => move(id, i - 1),
      'move-down': () => move(id, i + 1),
      'select-previous': () => select(view.cells[i - 1]),
      'select-next': () => select(view.cells[i + 1]),
      'insert-above': () => add('sql', i),
      'insert-below': () => add('sql', i + 1),
      delete: () => remove(id),
      'make-sql': () => step(() => setCellKind(session.doc, id, 'sql', LOCAL)),
      'make-text': () => step(() => setCellKind(session.doc, id, 'text', LOCAL)),
      undo: () => session.undo.undo(),
      redo: () => session.undo.redo()
    };
    actions[command]?.();
  };
}
