// What every cell of an open notebook shares — who is looking and whether they may edit, the live session's
// awareness and undo, the browser's DuckDB, where queries find their tables, the workspace's database
// connections, autocomplete's tables — handed down once through Svelte's context instead of through every
// component's props. Notebook.svelte sets it; a cell component takes what concerns it.
import { getContext, setContext } from 'svelte';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { WorkspaceConnections } from '$lib/connections/connections.svelte';
import type { CellAuthors } from '$lib/authors/cell-authors.svelte';
import type { BrowserDuckDB } from '$lib/engine/engine';
import type { RunContext } from '$lib/engine/run-context';
import type { NotebookInputs } from './notebook-inputs.svelte';

export type NotebookContext = {
  readonly readOnly: boolean;
  readonly userName: string;
  readonly awareness: Awareness;
  readonly undoManager: Y.UndoManager;
  readonly duckdb: BrowserDuckDB;
  readonly runContext: RunContext;
  readonly connections: WorkspaceConnections;
  /** The notebook's input cells: their values, and this person's changes of them. */
  readonly inputs: NotebookInputs;
  /** Autocomplete for local SQL: table → column names (files and results). */
  readonly schema: Record<string, string[]>;
  /** Who last changed each cell (absent where nobody asks the server, as in component tests). */
  readonly authors?: CellAuthors;
  /** Runs another cell of the notebook (the assistant runs the queries it wrote). */
  runCell(id: string): Promise<void>;
};

const KEY = Symbol('sheaf notebook');

export const setNotebookContext = (ctx: NotebookContext): NotebookContext => setContext(KEY, ctx);

export function notebookContext(): NotebookContext {
  const ctx = getContext<NotebookContext | undefined>(KEY);
  if (!ctx) throw new Error('A cell component was used outside a notebook.');
  return ctx;
}
