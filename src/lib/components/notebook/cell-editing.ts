// Changes to the list of cells — add, delete, move, run and go on — each its own undo step, and moving the
// selection and focus to the cell they leave you on. The cell list's buttons and keys both go through it.
import { tick } from 'svelte';
import { deleteCell, insertCell, moveCell, type NewCell } from '$cells/document';
import { LOCAL, type NotebookSession } from '$lib/collab/session.svelte';
import type { NotebookView } from '$lib/collab/notebook-view.svelte';
import type { CellApi } from './cell-api';

export class CellEditing {
  /** `select`: makes a cell (or none) the selected one. */
  constructor(
    readonly session: NotebookSession,
    readonly view: NotebookView,
    private readonly apis: Record<string, CellApi>,
    private readonly readOnly: () => boolean,
    private readonly select: (id: string | null) => void
  ) {}

  get canWrite() {
    return !this.readOnly();
  }

  readonly indexOf = (id: string) => this.view.cells.findIndex((c) => c.id === id);

  readonly focus = async (id: string, where: 'editor' | 'cell') => {
    this.select(id);
    await tick();
    const api = this.apis[id];
    if (where === 'editor') api?.focusEditor();
    else api?.focusCell();
  };

  /** A structural change is its own undo step, never merged with typing just before or after it. */
  readonly step = <T>(change: () => T): T => {
    this.session.undo.stopCapturing();
    const result = change();
    this.session.undo.stopCapturing();
    return result;
  };

  readonly add = (kind: NewCell['kind'], index: number) => {
    if (this.readOnly()) return;
    const id = this.step(() => insertCell(this.session.doc, { kind }, index, LOCAL));
    void this.focus(id, 'editor');
  };

  readonly remove = (id: string) => {
    if (this.readOnly()) return;
    const i = this.indexOf(id);
    this.step(() => deleteCell(this.session.doc, id, LOCAL));
    const next = this.view.cells[Math.min(i, this.view.cells.length - 1)];
    if (next) void this.focus(next.id, 'cell');
    else this.select(null);
  };

  readonly move = (id: string, to: number) => {
    if (this.readOnly() || to < 0 || to >= this.view.cells.length) return;
    this.step(() => moveCell(this.session.doc, id, to, LOCAL));
    void this.focus(id, 'cell');
  };

  /** Shift+Enter: run the cell (if it runs) and move to the next one; at the end, start a new one. */
  readonly advance = (id: string) => {
    void this.apis[id]?.run();
    const i = this.indexOf(id);
    const next = this.view.cells[i + 1];
    if (next) void this.focus(next.id, 'editor');
    else if (!this.readOnly()) this.add('sql', i + 1);
  };
}
